package diskqueue

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Segment files are named "<id>.log", id a decimal integer that grows by one
// for each new segment (Heka's layout).
const segmentExt = ".log"

// segmentName returns the file name of segment id.
func segmentName(id int64) string {
	return strconv.FormatInt(id, 10) + segmentExt
}

// segmentPath returns the path of segment id in dir.
func segmentPath(dir string, id int64) string {
	return filepath.Join(dir, segmentName(id))
}

// parseSegmentName returns the id of a segment file name.
func parseSegmentName(name string) (int64, bool) {
	digits, ok := strings.CutSuffix(name, segmentExt)
	if !ok || digits == "" || len(digits) > 18 {
		return 0, false
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return 0, false
		}
	}
	id, err := strconv.ParseInt(digits, 10, 64)
	return id, err == nil
}

// diskSegment is a segment file found in the directory.
type diskSegment struct {
	id   int64
	size int64
}

// listSegments returns the segment files of dir, by increasing id.
func listSegments(dir string) ([]diskSegment, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var segs []diskSegment
	for _, e := range entries {
		id, ok := parseSegmentName(e.Name())
		if !ok || !e.Type().IsRegular() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			return nil, fmt.Errorf("stat %s: %w", e.Name(), err)
		}
		segs = append(segs, diskSegment{id: id, size: info.Size()})
	}
	slices.SortFunc(segs, func(a, b diskSegment) int { return cmpInt64(a.id, b.id) })
	return segs, nil
}

func cmpInt64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
