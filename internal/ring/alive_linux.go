package ring

import (
	"bytes"
	"os"
	"strconv"
)

// procDead reports whether process pid has certainly exited: /proc has no
// entry for it, or it is a zombie (Z) or dead (X) there. A process it cannot
// inspect is taken to be alive.
func procDead(pid uint32) bool {
	b, err := os.ReadFile("/proc/" + strconv.FormatUint(uint64(pid), 10) + "/stat")
	if os.IsNotExist(err) {
		return true
	}
	if err != nil {
		return false
	}
	// "pid (comm) state ...": comm may hold spaces and parentheses, so the
	// state is the first field after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 || i+2 >= len(b) {
		return false
	}
	switch b[i+2] {
	case 'Z', 'X', 'x':
		return true
	}
	return false
}
