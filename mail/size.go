package mail

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// FormatSize gives a byte count as people read it: "812 B", "4 KiB",
// "1.5 MiB", "256 MiB", "2 GiB" (one decimal only where it matters).
func FormatSize(n int64) string {
	units := []struct {
		size int64
		name string
	}{{1 << 30, "GiB"}, {1 << 20, "MiB"}, {1 << 10, "KiB"}}
	for _, u := range units {
		if n < u.size {
			continue
		}
		v := float64(n) / float64(u.size)
		if n%u.size == 0 || v >= 100 || u.size == 1<<10 {
			return strconv.FormatFloat(math.Round(v), 'f', 0, 64) + " " + u.name
		}
		return strconv.FormatFloat(v, 'f', 1, 64) + " " + u.name
	}
	return strconv.FormatInt(n, 10) + " B"
}

// FormatSizeShort gives a byte count for a narrow column: 512B, 8K, 1.2M,
// 34M, 1.1G (powers of 1024, as FormatSize).
func FormatSizeShort(n int64) string {
	const k, mb, gb = 1024, 1024 * 1024, 1024 * 1024 * 1024
	switch {
	case n < 0:
		return ""
	case n < k:
		return strconv.FormatInt(n, 10) + "B"
	case n < mb:
		return strconv.FormatInt((n+k/2)/k, 10) + "K"
	case n < 10*mb:
		return strconv.FormatFloat(float64(n)/mb, 'f', 1, 64) + "M"
	case n < gb:
		return strconv.FormatInt((n+mb/2)/mb, 10) + "M"
	}
	return strconv.FormatFloat(float64(n)/gb, 'f', 1, 64) + "G"
}

// ParseSize reads a size as the CLI takes it: a number of bytes, or a number
// with a unit: K, KB, KiB, M, MB, MiB, G, GB, GiB (all powers of 1024, as
// mail clients use them; case does not matter), e.g. "512MiB" or "1.5G".
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	i := 0
	for i < len(t) && (t[i] >= '0' && t[i] <= '9' || t[i] == '.') {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	mult := map[string]float64{"": 1, "b": 1, "k": 1 << 10, "kb": 1 << 10, "kib": 1 << 10,
		"m": 1 << 20, "mb": 1 << 20, "mib": 1 << 20, "g": 1 << 30, "gb": 1 << 30, "gib": 1 << 30}[unit]
	v, err := strconv.ParseFloat(num, 64)
	if num == "" || err != nil || mult == 0 || v < 0 {
		return 0, fmt.Errorf("size %q is not a number of bytes or a number with K, M or G, as in 512M", s)
	}
	b := v * mult
	if b >= math.MaxInt64 {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return int64(b), nil
}
