package xliff_test

import (
	"bytes"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"concord"
	"concord/internal/xliff"
)

const original = "concord:document/0b6f3d5e-8a44-4f6b-9b3c-2f1f5f8e7a10/version/9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"

var idPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// MustWrite returns f written as XLIFF.
func MustWrite(tb testing.TB, f xliff.File) []byte {
	tb.Helper()
	var buf bytes.Buffer
	if err := xliff.Write(&buf, f); err != nil {
		tb.Fatalf("Write: %v", err)
	}
	return buf.Bytes()
}

// MustRead parses data as XLIFF.
func MustRead(tb testing.TB, data []byte) xliff.File {
	tb.Helper()
	f, err := xliff.Read(bytes.NewReader(data))
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

func trickyFile() xliff.File {
	return xliff.File{
		Original: original, SourceLang: "en", TargetLang: "ar", Tool: "concord",
		Units: []xliff.Unit{
			{ID: "s3f9a0c12ab45", Source: "Workers of all countries, unite!", Target: "يا عمال العالم، اتحدوا!", State: xliff.StateTranslated},
			{ID: "s1", Source: "Persian: می‌خواهیم", Target: "نمی‌خواهیم\u200c", State: xliff.StateNeedsReviewTranslation, Note: "ZWNJ inside and at the end"},
			{ID: "s2", Source: "<script>alert('x')</script> & \"quotes\"", Target: "<b>&amp;</b> &lt; ]]> <![CDATA[x]]>", State: xliff.StateFinal},
			{ID: "s3", Source: "line one\nline two\n\nparagraph *emphasis* _x_ `code`", Target: "eins\r\nzwei\tdrei", State: xliff.StateNew},
			{ID: "s4", Source: "  leading and trailing  ", Target: "\n  x  \n", State: xliff.StateNeedsTranslation},
			{ID: "s5_-Z", Source: "untranslated"},
			{ID: "s6", Source: "", Target: "", State: xliff.StateNew, Note: "note with <tags> & \"quotes\"\nand a newline"},
			{ID: strings.Repeat("a", 64), Source: "emoji 🏳️‍🌈 and U+FFFD \uFFFD and BOM \uFEFF", Target: "ok", State: xliff.StateTranslated},
		},
	}
}

func TestRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		file xliff.File
	}{
		{"tricky text", trickyFile()},
		{"no units, no tool, no target language", xliff.File{Original: "a&b\"<c>", SourceLang: "de-CH-1996"}},
		{"other tool", xliff.File{Original: "x", SourceLang: "en", TargetLang: "zh-Hant-TW", Tool: "omegat & co", Units: []xliff.Unit{{ID: "a", Source: "s", Target: "t", State: xliff.StateFinal}}}},
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

func TestWriteShape(t *testing.T) {
	t.Parallel()
	out := string(MustWrite(t, trickyFile()))
	for _, want := range []string{
		`<?xml version="1.0" encoding="UTF-8"?>` + "\n",
		`<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">`,
		`<file original="` + original + `" source-language="en" target-language="ar" datatype="plaintext">`,
		`<header>`, `<tool tool-id="concord" tool-name="Concord"/>`,
		`<trans-unit id="s3f9a0c12ab45" xml:space="preserve">`,
		`<source>&lt;script&gt;alert('x')&lt;/script&gt; &amp; "quotes"</source>`,
		`<trans-unit id="s2" xml:space="preserve" approved="yes">`,
		`<target state="final">&lt;b&gt;&amp;amp;&lt;/b&gt; &amp;lt; ]]&gt; &lt;![CDATA[x]]&gt;</target>`,
		"<source>line one\nline two\n\nparagraph", // newlines stay readable
		"<target state=\"new\">eins&#xD;\nzwei\tdrei</target>",
		`<note from="developer">note with &lt;tags&gt; &amp; "quotes"` + "\nand a newline</note>",
		"<source>untranslated</source>\n      </trans-unit>", // no target
	} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
}

func TestWriteRejects(t *testing.T) {
	t.Parallel()
	unit := func(u xliff.Unit) xliff.File {
		return xliff.File{Original: original, SourceLang: "en", TargetLang: "de", Units: []xliff.Unit{u}}
	}
	tests := []struct {
		name string
		file xliff.File
		key  string
	}{
		{"empty original", xliff.File{SourceLang: "en"}, "error.xliff_file_attr"},
		{"multi-line original", xliff.File{Original: "a\nb", SourceLang: "en"}, "error.xliff_file_attr"},
		{"bad source language", xliff.File{Original: "o", SourceLang: "en_US"}, "error.xliff_file_attr"},
		{"bad target language", xliff.File{Original: "o", SourceLang: "en", TargetLang: "d"}, "error.xliff_file_attr"},
		{"empty id", unit(xliff.Unit{Source: "x"}), "error.xliff_unit_id"},
		{"id with space", unit(xliff.Unit{ID: "s 1"}), "error.xliff_unit_id"},
		{"id too long", unit(xliff.Unit{ID: strings.Repeat("a", 65)}), "error.xliff_unit_id"},
		{"duplicate id", xliff.File{Original: "o", SourceLang: "en", Units: []xliff.Unit{{ID: "a"}, {ID: "a"}}}, "error.xliff_duplicate_unit"},
		{"unknown state", unit(xliff.Unit{ID: "a", State: "done"}), "error.xliff_state"},
		{"target without state", unit(xliff.Unit{ID: "a", Target: "x"}), "error.xliff_state"},
		{"control character", unit(xliff.Unit{ID: "a", Source: "bell\a"}), "error.xliff_control_char"},
		{"C1 control character", unit(xliff.Unit{ID: "a", Note: "next\u0085line"}), "error.xliff_control_char"},
		{"noncharacter", unit(xliff.Unit{ID: "a", Target: "\uFFFF", State: "new"}), "error.xliff_control_char"},
		{"invalid UTF-8", unit(xliff.Unit{ID: "a", Source: "\xff"}), "error.xliff_encoding"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var buf bytes.Buffer
			checkKey(t, xliff.Write(&buf, tt.file), tt.key, nil)
			if buf.Len() != 0 {
				t.Errorf("Write wrote %d bytes before failing", buf.Len())
			}
		})
	}
}

// doc wraps trans-units (and anything else) in a valid XLIFF 1.2 document.
func doc(body string) string {
	return `<?xml version="1.0" encoding="UTF-8"?>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="o" source-language="en" target-language="de" datatype="plaintext"><body>
` + body + `
</body></file></xliff>`
}

func TestReadRejects(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		input  string
		key    string
		params map[string]string
	}{
		{"empty", "", "error.xliff_malformed", nil},
		{"not XML", "hello", "error.xliff_malformed", nil},
		{"unclosed", doc(`<trans-unit id="a"><source>x</source>`)[:150], "error.xliff_malformed", nil},
		{"mismatched tags", doc(`<trans-unit id="a"><source>x</target></trans-unit>`), "error.xliff_malformed", map[string]string{"line": "4"}},
		{"undefined entity", doc(`<trans-unit id="a"><source>&nbsp;</source></trans-unit>`), "error.xliff_malformed", map[string]string{"line": "4"}},
		{"control character reference", doc(`<trans-unit id="a"><source>&#1;</source></trans-unit>`), "error.xliff_malformed", nil},
		{"repeated attribute", doc(`<trans-unit id="a" id="b"><source>x</source></trans-unit>`), "error.xliff_malformed", map[string]string{"line": "4"}},
		{"two roots", doc("") + "<xliff/>", "error.xliff_malformed", nil},
		{"text after root", doc("") + "junk", "error.xliff_malformed", nil},
		{"no body", `<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="o" source-language="en"/></xliff>`, "error.xliff_malformed", nil},
		{"doctype", `<?xml version="1.0"?><!DOCTYPE xliff>` + doc("")[38:], "error.xliff_doctype", map[string]string{"line": "1"}},
		{"billion laughs", `<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>
<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="o" source-language="en"><body>
<trans-unit id="a"><source>&lol2;</source></trans-unit></body></file></xliff>`, "error.xliff_doctype", nil},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>` + doc(`<trans-unit id="a"><source>&xxe;</source></trans-unit>`)[38:], "error.xliff_doctype", nil},
		{"latin-1 declared", strings.Replace(doc(""), "UTF-8", "ISO-8859-1", 1), "error.xliff_encoding", map[string]string{"encoding": "ISO-8859-1"}},
		{"invalid UTF-8", doc("<trans-unit id=\"a\"><source>caf\xe9</source></trans-unit>"), "error.xliff_encoding", map[string]string{"line": "4"}},
		{"UTF-16", "\xff\xfe<\x00x\x00", "error.xliff_encoding", nil},
		{"C1 control in text", doc("<trans-unit id=\"a\"><source>x</source><target>\u0085</target></trans-unit>"), "error.xliff_control_char", map[string]string{"unit": "a", "char": "U+0085", "line": "4"}},
		{"DEL in note", doc("<trans-unit id=\"a\"><source>x</source><note>\u007f</note></trans-unit>"), "error.xliff_control_char", map[string]string{"char": "U+007F"}},
		{"wrong root", `<html xmlns="urn:oasis:names:tc:xliff:document:1.2"/>`, "error.xliff_root", nil},
		{"no namespace", `<xliff version="1.2"><file original="o" source-language="en"><body/></file></xliff>`, "error.xliff_root", nil},
		{"other namespace", `<xliff version="1.2" xmlns="urn:example"><file/></xliff>`, "error.xliff_root", nil},
		{"XLIFF 1.1 from po2xliff", `<xliff xmlns="urn:oasis:names:tc:xliff:document:1.1" version="1.1"><file original="b.po" source-language="en-US" datatype="po"><body/></file></xliff>`, "error.xliff_version", map[string]string{"version": "1.1"}},
		{"XLIFF 2.0", `<xliff xmlns="urn:oasis:names:tc:xliff:document:2.0" version="2.0" srcLang="en"><file id="f1"/></xliff>`, "error.xliff_version", map[string]string{"version": "2.0"}},
		{"1.2 namespace, version 1.1", `<xliff xmlns="urn:oasis:names:tc:xliff:document:1.2" version="1.1"/>`, "error.xliff_version", map[string]string{"version": "1.1"}},
		{"no file", `<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"></xliff>`, "error.xliff_no_file", nil},
		{"two files", `<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2">
<file original="o" source-language="en"><body/></file>
<file original="p" source-language="en"><body/></file></xliff>`, "error.xliff_many_files", map[string]string{"line": "3"}},
		{"no original", `<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file source-language="en"><body/></file></xliff>`, "error.xliff_file_attr", map[string]string{"attribute": "original"}},
		{"no source language", `<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="o"><body/></file></xliff>`, "error.xliff_file_attr", map[string]string{"attribute": "source-language"}},
		{"bad target language", `<xliff version="1.2" xmlns="urn:oasis:names:tc:xliff:document:1.2"><file original="o" source-language="en" target-language="de DE"><body/></file></xliff>`, "error.xliff_file_attr", map[string]string{"attribute": "target-language"}},
		{"missing unit id", doc(`<trans-unit><source>x</source></trans-unit>`), "error.xliff_unit_id", map[string]string{"line": "4", "unit": ""}},
		{"malformed unit id", doc(`<trans-unit id="s 1"><source>x</source></trans-unit>`), "error.xliff_unit_id", map[string]string{"unit": "s 1"}},
		{"unit id too long", doc(`<trans-unit id="` + strings.Repeat("x", 65) + `"><source>x</source></trans-unit>`), "error.xliff_unit_id", nil},
		{"duplicate unit", doc("<trans-unit id=\"a\"><source>x</source></trans-unit>\n<group><trans-unit id=\"a\"><source>y</source></trans-unit></group>"), "error.xliff_duplicate_unit", map[string]string{"unit": "a", "line": "5"}},
		{"unit without source", doc(`<trans-unit id="a"><target>x</target></trans-unit>`), "error.xliff_unit", map[string]string{"unit": "a"}},
		{"two sources", doc(`<trans-unit id="a"><source>x</source><source>y</source></trans-unit>`), "error.xliff_unit", nil},
		{"two targets", doc(`<trans-unit id="a"><source>x</source><target>y</target><target>z</target></trans-unit>`), "error.xliff_unit", nil},
		{"unknown state", doc(`<trans-unit id="a"><source>x</source><target state="done">y</target></trans-unit>`), "error.xliff_state", map[string]string{"unit": "a", "state": "done"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := xliff.Read(strings.NewReader(tt.input))
			checkKey(t, err, tt.key, tt.params)
		})
	}
}

func TestReadTooLarge(t *testing.T) {
	t.Parallel()
	big := doc(`<trans-unit id="a"><source>` + strings.Repeat("x", xliff.MaxFileSize) + `</source></trans-unit>`)
	_, err := xliff.Read(strings.NewReader(big))
	checkKey(t, err, "error.file_too_large", map[string]string{"limit": "16777216"})
}

func TestReadDeepNesting(t *testing.T) {
	t.Parallel()
	const n = 50000
	body := strings.Repeat("<group>", n) + `<trans-unit id="a"><source>` + strings.Repeat("<g>", n) + "x" + strings.Repeat("</g>", n) + `</source></trans-unit>` + strings.Repeat("</group>", n)
	f := MustRead(t, []byte(doc(body)))
	if len(f.Units) != 1 || f.Units[0].Source != "x" {
		t.Errorf("units = %#v", f.Units)
	}
}

func TestReadStates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		unit        string
		state, text string
	}{
		{`<trans-unit id="a"><source>s</source></trans-unit>`, "", ""},
		{`<trans-unit id="a"><source>s</source><target/></trans-unit>`, "", ""},
		{`<trans-unit id="a"><source>s</source><target>t</target></trans-unit>`, "translated", "t"},
		{`<trans-unit id="a" approved="yes"><source>s</source><target>t</target></trans-unit>`, "final", "t"},
		{`<trans-unit id="a" approved="no"><source>s</source><target>t</target></trans-unit>`, "translated", "t"},
		{`<trans-unit id="a" approved="yes"><source>s</source><target state="needs-review-translation">t</target></trans-unit>`, "needs-review-translation", "t"},
		{`<trans-unit id="a"><source>s</source><target state="new"></target></trans-unit>`, "new", ""},
		{`<trans-unit id="a"><source>s</source><target state="needs-translation">s</target></trans-unit>`, "needs-translation", "s"},
		{`<trans-unit id="a"><source>s</source><target state="signed-off">t</target></trans-unit>`, "final", "t"},
		{`<trans-unit id="a"><source>s</source><target state="needs-l10n">t</target></trans-unit>`, "needs-translation", "t"},
		{`<trans-unit id="a"><source>s</source><target state="needs-review-adaptation">t</target></trans-unit>`, "needs-review-translation", "t"},
		{`<trans-unit id="a"><source>s</source><target state="x-mt">t</target></trans-unit>`, "needs-review-translation", "t"},
		{`<trans-unit id="a"><source>s</source><target state="final">t</target></trans-unit>`, "final", "t"},
	}
	for _, tt := range tests {
		t.Run(tt.unit, func(t *testing.T) {
			t.Parallel()
			u := MustRead(t, []byte(doc(tt.unit))).Units[0]
			if u.State != tt.state || u.Target != tt.text {
				t.Errorf("state, target = %q, %q; want %q, %q", u.State, u.Target, tt.state, tt.text)
			}
		})
	}
}

func TestReadTools(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file string
		bom  bool
		want xliff.File
	}{
		{"omegat.xlf", false, xliff.File{
			Original: original, SourceLang: "en", TargetLang: "fa", Tool: "concord",
			Units: []xliff.Unit{
				{ID: "s3f9a0c12ab45", Source: "Workers of all countries, unite!", Target: "کارگران همهٔ کشورها، متحد شوید!", State: "translated", Note: "Heading of the appeal"},
				{ID: "s0a1b2c3d4e5f", Source: "We demand *fair wages* & safe work.\nSigned in Berlin.", Target: "ما خواهان دستمزد عادلانه و کار ایمن هستیم.\nامضا شده در برلین.", State: "needs-review-translation"},
				{ID: "s77", Source: "Untranslated paragraph."},
				{ID: "s78", Source: "Short."},
			},
		}},
		{"trados.xlf", true, xliff.File{
			Original: original, SourceLang: "en-US", TargetLang: "de-DE", Tool: "concord",
			Units: []xliff.Unit{
				{ID: "s3f9a0c12ab45", Source: "First sentence. Second sentence.", Target: "Erster Satz. Zweiter Satz.", State: "translated"},
				{ID: "s0a1b2c3d4e5f", Source: "Press  to sign.", Target: "Drücken Sie  zum Unterzeichnen.", State: "final"},
				{ID: "s77", Source: "Third <paragraph>.", Target: "Dritter <Absatz>.", State: "final"},
			},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data, err := os.ReadFile("testdata/" + tt.file)
			if err != nil {
				t.Fatal(err)
			}
			if tt.bom {
				data = append([]byte("\xEF\xBB\xBF"), data...)
			}
			got := MustRead(t, data)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Read(%s)\n got %#v\nwant %#v", tt.file, got, tt.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	f.Add(MustWrite(f, trickyFile()))
	for _, name := range []string{"omegat.xlf", "trados.xlf"} {
		data, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Add([]byte(doc(`<group><trans-unit id="a" approved="yes"><source>a<g>b</g><x/></source><target>t</target></trans-unit></group>`)))
	f.Add([]byte(doc(`<trans-unit id="a"><source>x</source><target state="x-y">&#xD;</target><note>n</note><note>m</note></trans-unit>`)))
	f.Add([]byte(`<!DOCTYPE x>`))
	f.Fuzz(func(t *testing.T, data []byte) {
		file, err := xliff.Read(bytes.NewReader(data))
		if err != nil {
			if e := concord.AsError(err); e == nil || e.Code != concord.EINVALID || e.Key == "" {
				t.Fatalf("error %v is not an EINVALID *concord.Error with a key", err)
			}
			return
		}
		for _, u := range file.Units {
			if !idPattern.MatchString(u.ID) {
				t.Fatalf("invalid unit id %q", u.ID)
			}
			for _, s := range []string{u.Source, u.Target, u.Note} {
				if !utf8.ValidString(s) {
					t.Fatalf("unit %s: invalid UTF-8 %q", u.ID, s)
				}
				for _, r := range s {
					if unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r' {
						t.Fatalf("unit %s: control character %U", u.ID, r)
					}
				}
			}
		}
		again := MustRead(t, MustWrite(t, file))
		if !reflect.DeepEqual(again, file) {
			t.Fatalf("Read(Write(Read(x))) differs\n got %#v\nwant %#v", again, file)
		}
	})
}

// benchFile returns a document version of n paragraphs, about 300 bytes each.
func benchFile(n int) xliff.File {
	f := xliff.File{Original: original, SourceLang: "en", TargetLang: "fa", Tool: "concord"}
	for i := range n {
		f.Units = append(f.Units, xliff.Unit{
			ID:     fmt.Sprintf("s%012x", i),
			Source: strings.Repeat("Workers of all countries, unite! ", 5),
			Target: strings.Repeat("کارگران همهٔ کشورها، متحد شوید! ", 3),
			State:  xliff.StateTranslated,
		})
	}
	return f
}

func BenchmarkRead(b *testing.B) {
	data := MustWrite(b, benchFile(10000))
	b.SetBytes(int64(len(data)))
	for b.Loop() {
		if _, err := xliff.Read(bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWrite(b *testing.B) {
	f := benchFile(10000)
	var buf bytes.Buffer
	for b.Loop() {
		buf.Reset()
		if err := xliff.Write(&buf, f); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(buf.Len()))
}
