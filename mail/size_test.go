package mail

import "testing"

func TestFormatSizeShort(t *testing.T) {
	for n, want := range map[int64]string{0: "0B", 512: "512B", 1023: "1023B", 1024: "1K", 8192: "8K", 8500: "8K",
		1_258_291: "1.2M", 10 * 1024 * 1024: "10M", 350 * 1024 * 1024: "350M", 3 * 1024 * 1024 * 1024: "3.0G"} {
		if got := FormatSizeShort(n); got != want {
			t.Errorf("FormatSizeShort(%d) = %q, want %q", n, got, want)
		}
	}
}
