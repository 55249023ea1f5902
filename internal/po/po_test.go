package po_test

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"concord"
	"concord/internal/po"
)

// MustWrite returns f written as PO.
func MustWrite(tb testing.TB, f po.File) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := po.Write(&buf, f); err != nil {
		tb.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// MustRead parses data as PO.
func MustRead(tb testing.TB, data []byte) po.File {
	tb.Helper()
	f, err := po.Read(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("Read: %v\n%s", err, data)
	}
	return f
}

// checkKey fails unless err is an EINVALID *concord.Error with the key and every given param.
func checkKey(tb testing.TB, err error, key string, params map[string]string) {
	tb.Helper()
	e := concord.AsError(err)
	if e == nil {
		tb.Fatalf("error = %v, want *concord.Error with key %s", err, key)
	}
	if e.Code != concord.EINVALID || e.Key != key {
		tb.Fatalf("error = %s %s (%s), want %s %s", e.Code, e.Key, e.Message, concord.EINVALID, key)
	}
	for k, v := range params {
		if e.Params[k] != v {
			tb.Errorf("param %s = %q, want %q (params %v)", k, e.Params[k], v, e.Params)
		}
	}
	if e.Message == "" {
		tb.Error("empty Message")
	}
}

func concordFile() po.File {
	return po.File{
		Header: map[string]string{
			"Project-Id-Version": "Concord",
			"Language":           "fa",
			"Content-Type":       "text/plain; charset=UTF-8",
			"X-Concord-Original": "concord:document/0b6f3d5e-8a44-4f6b-9b3c-2f1f5f8e7a10/version/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08",
			"MIME-Version":       "1.0",
			"Empty":              "",
		},
		Entries: []po.Entry{
			{Context: "s3f9a0c12ab45", ID: "Workers of all countries, unite!", Str: "کارگران همهٔ کشورها، متحد شوید!", Extracted: []string{"Heading of the appeal"}},
			{Context: "s1", ID: "Persian with ZWNJ: می‌خواهیم", Str: "نمی‌خواهیم\u200c", Fuzzy: true, Comments: []string{"checked by Sara", "", "  indented"}},
			{Context: "s2", ID: `backslash \ quote " tab	end`, Str: `C:\path\n is not a newline`},
			{Context: "s3", ID: "line one\nline two\n\nparagraph *x*\n", Str: "eins\r\nzwei\n"},
			{Context: "s4", ID: "ends with newline\n", Str: "\n"},
			{Context: "s5", ID: "  leading and trailing  ", Str: ""},
			{Context: "s6", ID: "", Str: "empty msgid with a context", Refs: []string{"s6", "doc.md:12"}},
			{ID: "no context", Str: "<script>alert(1)</script> &amp;"},
			{Context: "s7", ID: "no context", Str: "same msgid, other context"},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file po.File
	}{
		{"concord file", concordFile()},
		{"empty", po.File{Header: map[string]string{}}},
		{"no header", po.File{Header: map[string]string{}, Entries: []po.Entry{{ID: "x"}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data := MustWrite(t, tt.file)
			got := MustRead(t, data)
			if !reflect.DeepEqual(got, tt.file) {
				t.Errorf("round trip changed the file\n got %#v\nwant %#v\n%s", got, tt.file, data)
			}
		})
	}
}

func TestWriteFormat(t *testing.T) {
	t.Parallel()
	f := po.File{
		Header: map[string]string{"Zeta": "z", "Alpha": "a", "X-Concord-Original": "v1", "Content-Type": "text/plain; charset=UTF-8", "Language": "de", "Project-Id-Version": "Concord"},
		Entries: []po.Entry{
			{Context: "s1", ID: "a \"b\" \\ c\td", Str: "x", Fuzzy: true, Comments: []string{"hi"}, Extracted: []string{"note"}, Refs: []string{"s1"}},
			{Context: "s2", ID: "one\ntwo", Str: "eins\nzwei\n"},
		},
	}
	want := `msgid ""
msgstr ""
"Project-Id-Version: Concord\n"
"Language: de\n"
"Content-Type: text/plain; charset=UTF-8\n"
"X-Concord-Original: v1\n"
"Alpha: a\n"
"Zeta: z\n"

# hi
#. note
#: s1
#, fuzzy
msgctxt "s1"
msgid "a \"b\" \\ c\td"
msgstr "x"

msgctxt "s2"
msgid ""
"one\n"
"two"
msgstr ""
"eins\n"
"zwei\n"
`
	if got := string(MustWrite(t, f)); got != want {
		t.Errorf("Write =\n%s\nwant\n%s", got, want)
	}
}

func TestReadFeatures(t *testing.T) {
	t.Parallel()
	input := "\xEF\xBB\xBF# header comment\r\n" + `#, fuzzy
msgid ""
msgstr "Language: de\n"
"Content-Type: text/plain; charset=utf-8\n"
"Report-Msgid-Bugs-To: \n"

# translator comment
#. extracted comment
#: s1 file.md:3
#: file.md:9
#, c-format, fuzzy
#| msgid "old source"
msgctxt "s1"
msgid "Hello"
msgstr "Hallo"
# obsolete entries are skipped, with their comments
#~ msgid "gone"
#~ msgstr "weg"

#~| msgid "older"
#~ msgctxt "s9"
#~ msgid "also gone"
#~ msgstr "auch weg"
  msgid   ""
   "multi "
"line"
msgstr ""
	"mehr" "zeilig"
msgctxt "s3"
msgid "tab	raw"
msgstr ""`
	want := po.File{
		Header: map[string]string{"Language": "de", "Content-Type": "text/plain; charset=utf-8", "Report-Msgid-Bugs-To": ""},
		Entries: []po.Entry{
			{Context: "s1", ID: "Hello", Str: "Hallo", Fuzzy: true, Comments: []string{"translator comment"}, Extracted: []string{"extracted comment"}, Refs: []string{"s1", "file.md:3", "file.md:9"}},
			{ID: "multi line", Str: "mehrzeilig"},
			{Context: "s3", ID: "tab\traw"},
		},
	}
	_, err := po.Read(strings.NewReader(input))
	checkKey(t, err, "error.po_malformed", map[string]string{"line": "29"}) // "mehr" "zeilig" on one line
	input = strings.Replace(input, `"mehr" "zeilig"`, "\"mehr\"\n\"zeilig\"", 1)
	if got := MustRead(t, []byte(input)); !reflect.DeepEqual(got, want) {
		t.Errorf("Read\n got %#v\nwant %#v", got, want)
	}
}

func TestSegmentID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		entry po.Entry
		want  string
	}{
		{po.Entry{Context: "s1", Refs: []string{"s2"}}, "s1"},
		{po.Entry{Refs: []string{"s2"}}, "s2"},
		{po.Entry{Refs: []string{"s2", "s3"}}, ""},
		{po.Entry{}, ""},
	}
	for _, tt := range tests {
		if got := tt.entry.SegmentID(); got != tt.want {
			t.Errorf("%#v.SegmentID() = %q, want %q", tt.entry, got, tt.want)
		}
	}
}

func TestReadRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, input, key string
		params           map[string]string
	}{
		{"msgid_plural", "msgid \"file\"\nmsgid_plural \"files\"\nmsgstr[0] \"Datei\"\n", "error.po_plural", map[string]string{"line": "2"}},
		{"msgstr[n]", "msgid \"file\"\nmsgstr[0] \"Datei\"\n", "error.po_plural", map[string]string{"line": "2"}},
		{"latin-1 charset", "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=ISO-8859-1\\n\"\n", "error.po_charset", map[string]string{"charset": "ISO-8859-1", "line": "1"}},
		{"template charset", "msgid \"\"\nmsgstr \"Content-Type: text/plain; charset=CHARSET\\n\"\n", "error.po_charset", map[string]string{"charset": "CHARSET"}},
		{"invalid UTF-8", "msgid \"a\"\nmsgstr \"caf\xe9\"\n", "error.po_encoding", map[string]string{"line": "2"}},
		{"UTF-16", "\xff\xfem\x00", "error.po_encoding", map[string]string{"line": "1"}},
		{"control character", "msgid \"a\"\nmsgstr \"\x01\"\n", "error.po_control_char", map[string]string{"line": "2", "char": "U+0001"}},
		{"C1 control character", "# \u0085\nmsgid \"a\"\nmsgstr \"\"\n", "error.po_control_char", map[string]string{"line": "1"}},
		{"lone carriage return", "msgid \"a\"\rmsgstr \"\"\n", "error.po_control_char", map[string]string{"char": "U+000D"}},
		{"unterminated string", "msgid \"a\nmsgstr \"\"\n", "error.po_malformed", map[string]string{"line": "1"}},
		{"unterminated after backslash", "msgid \"a\\", "error.po_malformed", map[string]string{"line": "1"}},
		{"bad escape", "msgid \"a\"\nmsgstr \"\\x41\"\n", "error.po_malformed", map[string]string{"line": "2"}},
		{"octal escape", "msgid \"\\101\"\nmsgstr \"\"\n", "error.po_malformed", map[string]string{"line": "1"}},
		{"text after string", "msgid \"a\" b\nmsgstr \"\"\n", "error.po_malformed", map[string]string{"line": "1"}},
		{"missing msgstr", "msgid \"a\"\n\nmsgid \"b\"\nmsgstr \"\"\n", "error.po_malformed", map[string]string{"line": "2"}},
		{"missing msgstr at end", "msgid \"a\"\n", "error.po_malformed", map[string]string{"line": "2"}},
		{"msgid twice", "msgid \"a\"\nmsgid \"b\"\nmsgstr \"\"\n", "error.po_malformed", map[string]string{"line": "2"}},
		{"msgstr without msgid", "msgctxt \"c\"\nmsgstr \"\"\n", "error.po_malformed", map[string]string{"line": "2"}},
		{"string outside entry", "\"a\"\n", "error.po_malformed", map[string]string{"line": "1"}},
		{"unknown keyword", "msgid \"a\"\nmsgtxt \"b\"\n", "error.po_malformed", map[string]string{"line": "2"}},
		{"keyword without string", "msgid\nmsgstr \"\"\n", "error.po_malformed", map[string]string{"line": "1"}},
		{"comment inside entry", "msgid \"a\"\n# no\nmsgstr \"\"\n", "error.po_malformed", map[string]string{"line": "2"}},
		{"duplicate", "msgctxt \"s1\"\nmsgid \"a\"\nmsgstr \"\"\n\nmsgctxt \"s1\"\nmsgid \"a\"\nmsgstr \"x\"\n", "error.po_duplicate", map[string]string{"line": "6", "context": "s1", "id": "a"}},
		{"duplicate without context", "msgid \"a\"\nmsgstr \"\"\nmsgid \"a\"\nmsgstr \"\"\n", "error.po_duplicate", map[string]string{"line": "3"}},
		{"two headers", "msgid \"\"\nmsgstr \"\"\n\nmsgid \"\"\nmsgstr \"\"\n", "error.po_duplicate", map[string]string{"line": "4"}},
		{"header line without colon", "msgid \"\"\nmsgstr \"Language de\\n\"\n", "error.po_header", map[string]string{"line": "1"}},
		{"repeated header field", "msgid \"\"\nmsgstr \"Language: de\\nLanguage: fr\\n\"\n", "error.po_header", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := po.Read(strings.NewReader(tt.input))
			checkKey(t, err, tt.key, tt.params)
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	t.Parallel()
	big := "msgid \"a\"\nmsgstr \"" + strings.Repeat("x", po.MaxFileSize) + "\"\n"
	_, err := po.Read(strings.NewReader(big))
	checkKey(t, err, "error.file_too_large", map[string]string{"limit": "16777216"})
}

func TestWriteRejects(t *testing.T) {
	t.Parallel()
	entry := func(e po.Entry) po.File { return po.File{Entries: []po.Entry{e}} }
	tests := []struct {
		name string
		file po.File
		key  string
	}{
		{"empty msgid without context", entry(po.Entry{Str: "x"}), "error.po_malformed"},
		{"duplicate", po.File{Entries: []po.Entry{{Context: "s", ID: "a"}, {Context: "s", ID: "a"}}}, "error.po_duplicate"},
		{"control character", entry(po.Entry{ID: "a\x00"}), "error.po_control_char"},
		{"invalid UTF-8", entry(po.Entry{ID: "a", Str: "\xff"}), "error.po_encoding"},
		{"multi-line comment", entry(po.Entry{ID: "a", Comments: []string{"a\nb"}}), "error.po_comment"},
		{"extracted comment with CR", entry(po.Entry{ID: "a", Extracted: []string{"a\rb"}}), "error.po_comment"},
		{"reference with space", entry(po.Entry{ID: "a", Refs: []string{"a b"}}), "error.po_comment"},
		{"empty reference", entry(po.Entry{ID: "a", Refs: []string{""}}), "error.po_comment"},
		{"header name with colon", po.File{Header: map[string]string{"a:b": "c"}}, "error.po_header"},
		{"header value with newline", po.File{Header: map[string]string{"a": "b\nc"}}, "error.po_header"},
		{"header value with spaces around", po.File{Header: map[string]string{"a": " b"}}, "error.po_header"},
		{"non-UTF-8 charset", po.File{Header: map[string]string{"Content-Type": "text/plain; charset=KOI8-R"}}, "error.po_charset"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			checkKey(t, po.Write(&buf, tt.file), tt.key, nil)
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add(MustWrite(f, concordFile()))
	f.Add([]byte("#, fuzzy\nmsgid \"\"\nmsgstr \"\"\n\"Language: de\\n\"\n\n#: s1\nmsgid \"a\"\nmsgstr \"b\"\n#~ msgid \"x\"\n#| msgid \"y\"\n"))
	f.Add([]byte("msgid \"a\"\nmsgid_plural \"b\"\nmsgstr[0] \"\"\n"))
	f.Add([]byte("# c\r\n#.e\r\n#:r s\r\nmsgctxt \"\"\r\nmsgid \"\\t\\r\\n\\\\\\\"\"\r\nmsgstr \"\"\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := po.Read(bytes.NewReader(data))
		if err != nil {
			if e := concord.AsError(err); e == nil || e.Code != concord.EINVALID || e.Key == "" {
				t.Fatalf("error %v is not an EINVALID *concord.Error with a key", err)
			}
			return
		}
		again := MustRead(t, MustWrite(t, file))
		if !reflect.DeepEqual(again, file) {
			t.Fatalf("Read(Write(Read(x))) differs\n got %#v\nwant %#v", again, file)
		}
	})
}

// benchFile returns a PO file of n entries, about 300 bytes each.
func benchFile(n int) po.File {
	f := po.File{Header: map[string]string{"Language": "fa", "Content-Type": "text/plain; charset=UTF-8"}}
	for i := range n {
		f.Entries = append(f.Entries, po.Entry{
			Context: fmt.Sprintf("s%012x", i),
			ID:      strings.Repeat("Workers of all \"countries\",\nunite! ", 5),
			Str:     strings.Repeat("کارگران همهٔ کشورها، متحد شوید! ", 3),
		})
	}
	return f
}

func BenchmarkRead(b *testing.B) {
	data := MustWrite(b, benchFile(10000))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := po.Read(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	f := benchFile(10000)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := po.Write(&buf, f); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
