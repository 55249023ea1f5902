package xliff_test

// Interoperability with Debian's translate-toolkit (apt-get install -y translate-toolkit),
// whose xliff2po and po2xliff are the converters translators reach for.
//
// What translate-toolkit 3.8 does with segment IDs:
//
//   - XLIFF → PO (xliff2po): the trans-unit id survives as a "#:" reference on every entry
//     (unless the id equals the source text). msgctxt is written only for entries whose msgid
//     occurs more than once or is empty, and then holds the id too. po.Entry.SegmentID reads
//     both forms.
//     Every entry with a non-empty target is "#, fuzzy" unless the trans-unit has
//     approved="yes" (Write sets it for StateFinal); <note from="developer"> becomes one "#."
//     line per line of the note.
//     The PO header gets neither Language nor X-Concord-Original.
//   - PO → XLIFF (po2xliff): the result is XLIFF 1.1 (namespace …:document:1.1), which Read
//     refuses with error.xliff_version. msgctxt is dropped, trans-unit ids are sequential
//     numbers ("1", "2", …) and the header becomes a trans-unit with
//     restype="x-gettext-domain-header". A segment ID survives only where the PO entry had it
//     as a "#:" reference, in <context-group name="po-reference">. Sources, targets and the
//     fuzzy flag (as approved="no"/"yes") survive.
//
// So IDs survive XLIFF → PO; PO files go back into Concord through package po directly.

import (
	"bytes"
	"encoding/xml"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"concord/internal/po"
	"concord/internal/xliff"
)

// lookTool returns the path of a translate-toolkit command. It skips the test when the
// command is missing, unless CI is set or CONCORD_REQUIRE_TOOLS=1, where it fails.
func lookTool(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err == nil {
		return path
	}
	msg := name + " not found; install Debian's translate-toolkit: apt-get install -y translate-toolkit"
	if os.Getenv("CI") != "" || os.Getenv("CONCORD_REQUIRE_TOOLS") == "1" {
		t.Fatal(msg)
	}
	t.Skip(msg)
	return ""
}

// convert runs a translate-toolkit converter from in to out and returns the output file.
func convert(t *testing.T, tool string, in []byte, inName, outName string) []byte {
	t.Helper()
	path := lookTool(t, tool)
	dir := t.TempDir()
	inPath, outPath := filepath.Join(dir, inName), filepath.Join(dir, outName)
	if err := os.WriteFile(inPath, in, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.CommandContext(t.Context(), path, "--progress=none", inPath, outPath).CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", tool, err, out)
	}
	data, err := os.ReadFile(outPath)
	if err != nil {
		t.Fatalf("%s wrote no output: %v\n%s", tool, err, out)
	}
	return data
}

func TestInteropXLIFF2PO(t *testing.T) {
	t.Parallel()
	f := trickyFile()
	f.Units = append(f.Units, xliff.Unit{ID: "s9", Source: "Workers of all countries, unite!", Target: "اتحدوا!", State: xliff.StateTranslated})
	got := MustReadPO(t, convert(t, "xliff2po", MustWrite(t, f), "in.xlf", "out.po"))
	t.Logf("xliff2po header: %v", got.Header)

	sources := map[string]int{}
	for _, u := range f.Units {
		sources[u.Source]++
	}
	if len(got.Entries) != len(f.Units) {
		t.Fatalf("%d PO entries for %d units", len(got.Entries), len(f.Units))
	}
	for i, u := range f.Units {
		e := got.Entries[i]
		want := po.Entry{
			ID:    u.Source,
			Str:   u.Target,
			Fuzzy: u.Target != "" && u.State != xliff.StateFinal,
			Refs:  []string{u.ID},
		}
		if sources[u.Source] > 1 || u.Source == "" { // an empty msgid would clash with the header
			want.Context = u.ID
		}
		if u.Note != "" {
			want.Extracted = strings.Split(u.Note, "\n") // one "#." line per line
		}
		if !reflect.DeepEqual(e, want) {
			t.Errorf("unit %s became\n%#v, want\n%#v", u.ID, e, want)
		}
		if e.SegmentID() != u.ID {
			t.Errorf("unit %s: SegmentID() = %q", u.ID, e.SegmentID())
		}
	}
}

func TestInteropPO2XLIFF(t *testing.T) {
	t.Parallel()
	in := po.File{
		Header: map[string]string{
			"Project-Id-Version": "Concord",
			"Language":           "fa",
			"Content-Type":       "text/plain; charset=UTF-8",
			"X-Concord-Original": original,
		},
		Entries: []po.Entry{
			{Context: "s3f9a0c12ab45", Refs: []string{"s3f9a0c12ab45"}, ID: "Workers of all countries, unite!", Str: "کارگران همهٔ کشورها، متحد شوید!", Extracted: []string{"Heading"}},
			{Context: "s1", Refs: []string{"s1"}, ID: "line one\nline two & <b>", Str: "یک\nدو می‌خواهیم", Fuzzy: true},
			{Context: "s2", ID: "  untranslated, no reference  "},
		},
	}
	var buf bytes.Buffer
	if err := po.Write(&buf, in); err != nil {
		t.Fatal(err)
	}
	data := convert(t, "po2xliff", buf.Bytes(), "in.po", "out.xlf")

	_, err := xliff.Read(bytes.NewReader(data))
	checkKey(t, err, "error.xliff_version", map[string]string{"version": "1.1"})

	// Look inside with encoding/xml to record what po2xliff keeps.
	var doc struct {
		Units []struct {
			ID       string `xml:"id,attr"`
			Approved string `xml:"approved,attr"`
			Restype  string `xml:"restype,attr"`
			Source   string `xml:"source"`
			Target   string `xml:"target"`
			Contexts []struct {
				Name     string `xml:"name,attr"`
				Contexts []struct {
					Type string `xml:"context-type,attr"`
					Text string `xml:",chardata"`
				} `xml:"context"`
			} `xml:"context-group"`
		} `xml:"file>body>trans-unit"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("po2xliff output: %v\n%s", err, data)
	}
	if len(doc.Units) != 1+len(in.Entries) || doc.Units[0].Restype != "x-gettext-domain-header" {
		t.Fatalf("want a header unit and %d units, got %+v\n%s", len(in.Entries), doc.Units, data)
	}
	for i, e := range in.Entries {
		u := doc.Units[i+1]
		if u.Source != e.ID || u.Target != e.Str {
			t.Errorf("entry %s became source %q target %q", e.Context, u.Source, u.Target)
		}
		if u.ID == e.Context {
			t.Errorf("entry %s: po2xliff kept msgctxt as the id; update the notes above", e.Context)
		}
		if approved := e.Str != "" && !e.Fuzzy; approved != (u.Approved == "yes") {
			t.Errorf("entry %s: approved=%q for fuzzy=%v", e.Context, u.Approved, e.Fuzzy)
		}
		var refs []string
		for _, g := range u.Contexts {
			for _, c := range g.Contexts {
				if g.Name == "po-reference" && c.Type == "sourcefile" {
					refs = append(refs, c.Text)
				}
			}
		}
		if !reflect.DeepEqual(refs, e.Refs) {
			t.Errorf("entry %s: po-reference contexts %q, want %q", e.Context, refs, e.Refs)
		}
	}
}

// MustReadPO parses data as PO.
func MustReadPO(tb testing.TB, data []byte) po.File {
	tb.Helper()
	f, err := po.Read(bytes.NewReader(data))
	if err != nil {
		tb.Fatalf("po.Read: %v\n%s", err, data)
	}
	return f
}
