package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"text/tabwriter"
	"time"

	"github.com/shmkit/shmkit/shm"
)

const segmentsExamples = `	shmdemo segments                # list the named segments
	shmdemo segments -json          # the same, as JSON
	shmdemo segments -objects       # and the objects in each
	shmdemo segments -rm bank       # remove the segment named bank
	shmdemo segments -rm-stale      # remove those whose creator is gone
	SHMKIT_DIR=/tmp/x shmdemo segments   # look in another directory
`

// runSegments lists the named segments (shm.List), or removes one (-rm)
// or the stale ones (-rm-stale).
func runSegments(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("segments", "segments [-json] [-objects] | -rm NAME | -rm-stale [-json]", segmentsExamples, stderr)
	asJSON := fs.Bool("json", false, "print JSON, for scripts")
	objects := fs.Bool("objects", false, "also open each segment and list the objects in it")
	rm := fs.String("rm", "", "remove the segment `NAME`")
	rmStale := fs.Bool("rm-stale", false, "remove every segment whose creator process is gone")
	fs.Usage = withDir(fs.Usage, stderr)
	if status, ok := parseFlags(fs, args, stderr); !ok {
		return status
	}
	rmSet := isSet(fs, "rm")
	switch {
	case rmSet && *rmStale:
		return usageError(fs, stderr, "-rm and -rm-stale exclude each other")
	case (rmSet || *rmStale) && *objects:
		return usageError(fs, stderr, "-objects lists segments; it does not go with -rm or -rm-stale")
	case rmSet && *rm == "":
		return usageError(fs, stderr, "-rm needs the name of a segment")
	case rmSet:
		return removeSegment(*rm, *asJSON, stdout, stderr)
	case *rmStale:
		return removeStale(*asJSON, stdout, stderr)
	}
	return listSegments(*asJSON, *objects, stdout, stderr)
}

// withDir adds to a usage function where the segments are looked for.
func withDir(usage func(), stderr io.Writer) func() {
	return func() {
		usage()
		fmt.Fprintf(stderr, `
Named segments are files named shmkit.NAME in $SHMKIT_DIR if set, else in
/dev/shm on Linux and the temporary directory on macOS; here: %s.
A segment is stale when the process that created it is gone; it may still
be in use by others that opened it. A file NAME.tmp-DIGITS is one that a
Create was building when its process died: listed as such, removed by -rm
with that name, or by -rm-stale. Files that cannot be read as segments
are listed with the reason and never removed by -rm-stale.
`, shm.Dir())
	}
}

func isSet(fs *flag.FlagSet, name string) (set bool) {
	fs.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// segmentJSON is a segment as -json prints it.
type segmentJSON struct {
	Name       string       `json:"name"`
	Size       int64        `json:"size,omitzero"`
	CreatorPid int          `json:"creator_pid,omitzero"`
	Created    time.Time    `json:"created,omitzero"`
	Stale      bool         `json:"stale"`
	Leftover   bool         `json:"leftover,omitempty"` // a file of a Create that did not finish
	Objects    []objectJSON `json:"objects,omitempty"`
	Error      string       `json:"error,omitempty"`
}

// objectJSON is an object of a segment as -json -objects prints it.
type objectJSON struct {
	Name   string `json:"name,omitempty"`
	Kind   string `json:"kind"`
	Type   string `json:"type,omitempty"`
	Len    int    `json:"len"`
	Offset int    `json:"offset"`
}

func toJSON(info shm.SegmentInfo) segmentJSON {
	s := segmentJSON{Name: info.Name, Size: info.Size, CreatorPid: info.CreatorPid,
		Created: info.Created, Stale: info.Stale, Leftover: info.Leftover}
	if info.Err != nil {
		s.Error = info.Err.Error()
	}
	return s
}

// listSegments prints the named segments, with their objects if objects.
func listSegments(asJSON, objects bool, stdout, stderr io.Writer) int {
	infos, err := shm.List()
	if err != nil {
		fmt.Fprintf(stderr, "shmdemo segments: %v\n", err)
		return 1
	}
	list := make([]segmentJSON, 0, len(infos))
	for _, info := range infos {
		s := toJSON(info)
		if objects && info.Err == nil && !info.Leftover {
			s.Objects, err = objectsOf(info.Name)
			if err != nil {
				s.Error = err.Error()
			}
		}
		list = append(list, s)
	}
	if asJSON {
		return printJSON(list, stdout, stderr)
	}
	if len(list) == 0 {
		fmt.Fprintf(stdout, "no named segments in %s\n", shm.Dir())
		return 0
	}
	tw := tabwriter.NewWriter(stdout, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tSIZE\tCREATOR\tCREATED\tSTALE")
	for _, s := range list {
		printSegment(tw, s)
	}
	tw.Flush()
	if objects {
		for _, s := range list {
			printObjects(stdout, s)
		}
	}
	return 0
}

// printSegment prints the row of one segment.
func printSegment(tw io.Writer, s segmentJSON) {
	if s.Created.IsZero() { // not readable as a segment
		fmt.Fprintf(tw, "%s\t-\t-\t-\t-\terror: %s\n", s.Name, s.Error)
		return
	}
	fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s", s.Name, s.Size, s.CreatorPid,
		s.Created.Format(time.DateTime), yesNo(s.Stale))
	if s.Leftover {
		fmt.Fprint(tw, "\tleft by a Create that did not finish")
	}
	if s.Error != "" {
		fmt.Fprintf(tw, "\terror: %s", s.Error)
	}
	fmt.Fprintln(tw)
}

// printObjects prints the objects of a segment that could be opened.
func printObjects(w io.Writer, s segmentJSON) {
	if s.Error != "" || s.Leftover {
		return // said in the table
	}
	fmt.Fprintf(w, "\n%s:\n", s.Name)
	if len(s.Objects) == 0 {
		fmt.Fprintln(w, "  no objects")
		return
	}
	tw := tabwriter.NewWriter(w, 0, 8, 2, ' ', 0)
	fmt.Fprintln(tw, "  OBJECT\tKIND\tTYPE\tLEN\tOFFSET")
	for _, o := range s.Objects {
		name, typ := o.Name, o.Type
		if name == "" {
			name = "-"
		}
		if typ == "" {
			typ = "-"
		}
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%d\t%d\n", name, o.Kind, typ, o.Len, o.Offset)
	}
	tw.Flush()
}

// objectsOf opens the named segment and lists its objects.
func objectsOf(name string) ([]objectJSON, error) {
	seg, err := shm.Open(name)
	if err != nil {
		return nil, err
	}
	defer seg.Close()
	objs, err := seg.Objects()
	out := make([]objectJSON, 0, len(objs))
	for _, o := range objs {
		out = append(out, objectJSON{Name: o.Name, Kind: o.Kind, Type: o.Type, Len: o.Len, Offset: o.Offset})
	}
	return out, err
}

// removeSegment removes the named segment.
func removeSegment(name string, asJSON bool, stdout, stderr io.Writer) int {
	err := shm.Remove(name)
	switch {
	case errors.Is(err, shm.ErrNotExist):
		fmt.Fprintf(stderr, "shmdemo segments: -rm %s: no segment named %q in %s\n", name, name, shm.Dir())
		return 1
	case err != nil:
		fmt.Fprintf(stderr, "shmdemo segments: -rm %s: %v\n", name, err)
		return 1
	}
	if asJSON {
		return printJSON([]segmentJSON{{Name: name}}, stdout, stderr)
	}
	fmt.Fprintf(stdout, "removed %s\n", name)
	return 0
}

// removeStale removes every segment whose creator is gone and says which.
func removeStale(asJSON bool, stdout, stderr io.Writer) int {
	infos, err := shm.List()
	if err != nil {
		fmt.Fprintf(stderr, "shmdemo segments: %v\n", err)
		return 1
	}
	status := 0
	removed := []segmentJSON{}
	for _, info := range infos {
		if !info.Stale || info.Err != nil {
			continue
		}
		if err := shm.Remove(info.Name); err != nil {
			fmt.Fprintf(stderr, "shmdemo segments: -rm-stale: %v\n", err)
			status = 1
			continue
		}
		removed = append(removed, toJSON(info))
		if !asJSON {
			what := ""
			if info.Leftover {
				what = ", left by a Create that did not finish"
			}
			fmt.Fprintf(stdout, "removed %s (created by pid %d, which is gone%s)\n", info.Name, info.CreatorPid, what)
		}
	}
	if asJSON {
		if printJSON(removed, stdout, stderr) != 0 {
			return 1
		}
	} else if len(removed) == 0 && status == 0 {
		fmt.Fprintf(stdout, "no stale segments in %s\n", shm.Dir())
	}
	return status
}

func printJSON(v any, stdout, stderr io.Writer) int {
	enc := json.NewEncoder(stdout)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(stderr, "shmdemo: writing JSON: %v\n", err)
		return 1
	}
	return 0
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}
