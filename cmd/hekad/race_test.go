//go:build race

package main

// raceBuild tells TestMain to build hekad with -race, as this test binary is.
const raceBuild = true
