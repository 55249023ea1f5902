package web

import (
	"net/url"
	"strings"
	"testing"
)

func TestLocalPath(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"/organizations?region=asia", "/organizations?region=asia"},
		{"/", "/"},
		{"", "/"},
		{"//evil.example/x", "/"},
		{`/\evil.example`, "/"},
		{"https://evil.example/", "/"},
		{"javascript:alert(1)", "/"},
		{"organizations", "/"},
		{"/a\r\nLocation: x", "/"},
		{"/%2F%2Fevil.example", "/"}, // decodes to a scheme-relative path: refused to be safe
		{"/" + strings.Repeat("a", 2001), "/"},
	}
	for _, tt := range tests {
		if got := localPath(tt.in); got != tt.want {
			t.Errorf("localPath(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// FuzzLocalPath checks that whatever a "next" parameter holds, the redirect stays on this
// site: a path that browsers cannot read as another host.
func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "//x", `/\x`, "/a?b=c#d", "http://x/", "/%0d%0a", "\x00/", "/\t/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := localPath(s)
		if got != "/" && got != s {
			t.Fatalf("localPath(%q) = %q: neither the input nor /", s, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n\t\x00") {
			t.Fatalf("localPath(%q) = %q", s, got)
		}
		u, err := url.Parse(got)
		if err != nil || u.Host != "" || u.Scheme != "" {
			t.Fatalf("localPath(%q) = %q parses as %+v (%v)", s, got, u, err)
		}
	})
}
