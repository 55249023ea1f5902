package mt

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// assertProcessGroupGone fails unless every process of group pgid has ended within a few
// seconds (killed processes are reaped asynchronously; zombies count as ended).
func assertProcessGroupGone(tb testing.TB, pgid int) {
	tb.Helper()
	var alive []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if alive = processesInGroup(pgid); len(alive) == 0 {
			return
		}
	}
	tb.Errorf("process group %d still runs %v", pgid, alive)
}

// processesInGroup lists "pid (name)" of the live (not zombie) processes of group pgid.
func processesInGroup(pgid int) []string {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	var alive []string
	for _, path := range stats {
		data, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp ...; comm may contain spaces and parentheses.
		s := string(data)
		end := strings.LastIndexByte(s, ')')
		if end < 0 {
			continue
		}
		fields := strings.Fields(s[end+1:])
		if len(fields) < 3 || fields[0] == "Z" || fields[0] == "X" {
			continue
		}
		if g, _ := strconv.Atoi(fields[2]); g == pgid {
			alive = append(alive, s[:end+1])
		}
	}
	return alive
}
