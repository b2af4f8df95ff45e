package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"text/tabwriter"
)

const versionExamples = `	shmdemo version
	shmdemo version -json
`

// versionInfo is what shmdemo version prints.
type versionInfo struct {
	Version  string `json:"version"`            // the module's version, or "devel"
	Revision string `json:"revision,omitempty"` // the commit, when the build recorded it
	Modified bool   `json:"modified,omitempty"` // the commit had local changes
	Go       string `json:"go"`
	GOOS     string `json:"goos"`
	GOARCH   string `json:"goarch"`
}

// runVersion prints the version of shmkit that was built, the Go version
// and the platform.
func runVersion(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "version [-json]", versionExamples, stderr)
	asJSON := fs.Bool("json", false, "print JSON, for scripts")
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	v := buildVersion()
	if *asJSON {
		return printJSON(v, stdout, stderr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintf(tw, "shmkit\t%s\n", v.Version)
	if v.Revision != "" {
		mod := ""
		if v.Modified {
			mod = " (modified)"
		}
		fmt.Fprintf(tw, "commit\t%s%s\n", v.Revision, mod)
	}
	fmt.Fprintf(tw, "go\t%s\n", v.Go)
	fmt.Fprintf(tw, "platform\t%s/%s\n", v.GOOS, v.GOARCH)
	tw.Flush()
	return 0
}

func buildVersion() versionInfo {
	v := versionInfo{Version: "devel", Go: runtime.Version(), GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return v
	}
	if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		v.Version = bi.Main.Version
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			v.Revision = s.Value
		case "vcs.modified":
			v.Modified = s.Value == "true"
		}
	}
	return v
}
