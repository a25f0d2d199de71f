// Package config turns hekad's TOML configuration into a Plan, the plain
// data the engine builds a pipeline from.
//
// Loading runs in steps:
//
//  1. Read the file, or every *.toml file of a directory in name order, and
//     replace %ENV[NAME] in each (SubstituteEnv). Parse each file with
//     BurntSushi/toml; a section defined again in a later file replaces the
//     earlier definition as a whole.
//  2. Decode [hekad] strictly into pipeline.Globals over DefaultGlobals and
//     validate it.
//  3. Every other top-level table is a plugin section. Its type (default:
//     the section name) gives the kind by its suffix and the registration.
//     The kind's common options (pipeline.DefaultXCommon, adjusted by the
//     plugin config's XCommonDefaulter) and the plugin's own config
//     (Registration.NewConfig) are decoded from the same table; a key that
//     neither knows is an error unless it lies under a sub-table the
//     config declares free-form (Freeform).
//  4. Validate: the common options, the plugin's Validate, the
//     message_matcher of filters and outputs (required, and it must
//     compile), the decoder, splitter and encoder names (a section of that
//     kind or an auto-registered default, see DefaultPlugins), and resolve
//     use_framing.
//  5. Probe: build each section's plugin once, as the engine will (Build
//     opens no sockets and starts no goroutines), and discard it, so that
//     the errors only a constructor finds and a ticker_interval on a plugin
//     without a timer come out in the same run as the others.
//
// Every problem is reported, as *Error values joined with errors.Join in
// file order, each rendered FILE:LINE: [SECTION] (TYPE): KEY: MESSAGE; a
// configuration with any problem yields no Plan. A type that is not
// registered is told apart: a Heka 0.10 plugin this build lacks (see
// HekaPlugins) or an unknown name, with the closest registered name.
package config
