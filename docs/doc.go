// Package docs holds hekad's documentation. It has no code: its go:generate
// line rebuilds plugins.md from the plugin registry.
package docs

//go:generate go run ../internal/plugindoc/gen plugins.md
