package mt

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ApertiumConfig configures an Apertium engine.
type ApertiumConfig struct {
	Command string        // the apertium program; empty means "apertium" from $PATH
	DataDir string        // directory holding modes/; empty means "/usr/share/apertium"
	Timeout time.Duration // bound on one Translate call; zero means 2 minutes
	// Extractor is Transfuse's tf-extract, which apertium's formatter runs; it is looked up
	// before each use so that a missing package is named. Empty means "tf-extract".
	Extractor string
}

// apertiumInstallHint tells an operator what to install.
const apertiumInstallHint = "install the Debian packages apertium and a pair such as apertium-eng-spa"

// Apertium translates offline with the apertium command and the pair packages installed
// on the server (Debian: apertium, apertium-eng-spa, apertium-fr-es, ...). It is safe
// for concurrent use; each Translate call runs one apertium process for its whole batch.
//
// Pairs are the installed translation modes (DataDir/modes/*.mode) whose names have the
// shape "SRC-TGT" or "SRC-TGT_RR", with SRC and TGT ISO 639 codes and RR a region:
// "eng-spa" is en→es, "spa-eng_US" is es→en-US, "es-pt_BR" is es→pt-BR. Other modes are
// not offered: names with more parts are pipeline stages or special modes
// ("eng-spa-morph", "eco-fr-es"), and other suffixes name orthographic or regional
// standards that BCP 47 tags do not express reliably ("spa-cat_valencia_uni",
// "spa-cat_iec2017"); the plain mode of the same pair is offered instead.
//
// Inline formatting is moved along with the words by Transfuse (Debian package
// "transfuse", which apertium recommends), so it is required: without it Apertium's
// plain HTML deformatter leaves tags where they were ("La **bandera** roja").
//
// Unknown words are copied through without Apertium's "*" marks (apertium -u): the marks
// would be read as Markdown emphasis, and the suggestion is only a suggestion.
type Apertium struct {
	cfg     ApertiumConfig
	started func(pid int) // called with the process group of each run; for tests
}

// NewApertium returns an Apertium engine. It runs nothing: a missing program or pair
// shows as an error from Pairs and Translate.
func NewApertium(cfg ApertiumConfig) *Apertium {
	if cfg.Command == "" {
		cfg.Command = "apertium"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = "/usr/share/apertium"
	}
	if cfg.Extractor == "" {
		cfg.Extractor = "tf-extract"
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Minute
	}
	return &Apertium{cfg: cfg}
}

// Name returns "Apertium".
func (a *Apertium) Name() string { return "Apertium" }

// apertiumMode is one installed translation mode.
type apertiumMode struct {
	name string // "eng-spa"
	pair Pair   // en→es
}

// modes lists the installed translation modes, sorted by name.
func (a *Apertium) modes() ([]apertiumMode, error) {
	if _, err := exec.LookPath(a.cfg.Command); err != nil {
		return nil, fmt.Errorf("apertium: %w (%s)", err, apertiumInstallHint)
	}
	if _, err := exec.LookPath(a.cfg.Extractor); err != nil {
		return nil, fmt.Errorf("apertium: transfuse: %w (install the Debian package transfuse)", err)
	}
	dir := filepath.Join(a.cfg.DataDir, "modes")
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("apertium: list modes: %w (%s)", err, apertiumInstallHint)
	}
	var modes []apertiumMode
	for _, e := range entries {
		name, ok := strings.CutSuffix(e.Name(), ".mode")
		if !ok || e.IsDir() {
			continue
		}
		if p, ok := apertiumPair(name); ok {
			modes = append(modes, apertiumMode{name: name, pair: p})
		}
	}
	return modes, nil
}

// apertiumPair returns the pair a mode name translates, if it is a plain translation
// mode (see Apertium).
func apertiumPair(name string) (Pair, bool) {
	name, region, hasRegion := strings.Cut(name, "_")
	src, tgt, ok := strings.Cut(name, "-")
	if !ok || !isLanguageCode(src) || !isLanguageCode(tgt) || src == tgt {
		return Pair{}, false
	}
	target := bcp47Language(tgt)
	if hasRegion {
		if len(region) != 2 || !isLetters(region) {
			return Pair{}, false
		}
		target += "-" + strings.ToUpper(region)
	}
	return Pair{Source: bcp47Language(src), Target: target}, true
}

// isLanguageCode reports whether s has the shape of an ISO 639 code: 2 or 3 lower-case
// letters.
func isLanguageCode(s string) bool {
	return (len(s) == 2 || len(s) == 3) && isLetters(s) && strings.ToLower(s) == s
}

// Pairs lists the pairs of the installed translation modes. It fails when the apertium
// program or the modes directory is missing.
func (a *Apertium) Pairs(ctx context.Context) ([]Pair, error) {
	modes, err := a.modes()
	if err != nil {
		return nil, err
	}
	pairs := make([]Pair, len(modes))
	for i, m := range modes {
		pairs[i] = m.pair
	}
	return pairs, nil
}

// mode returns the installed mode that translates p.
func (a *Apertium) mode(p Pair) (apertiumMode, error) {
	modes, err := a.modes()
	if err != nil {
		return apertiumMode{}, err
	}
	pairs := make([]Pair, len(modes))
	for i, m := range modes {
		pairs[i] = m.pair
	}
	got, ok := resolvePair(pairs, p)
	if !ok {
		return apertiumMode{}, &UnsupportedPairError{Engine: a.Name(), Pair: p}
	}
	return modes[slices.Index(pairs, got)], nil
}

// Version returns the version of the apertium package and of every installed pair
// package, e.g. "3.8.3-1+b2 (apertium-eng-spa 0.8.1-2, apertium-fr-es 0.9.4-1)". Parts
// that cannot be found (no dpkg, pairs built from source) read "unknown". PairVersion
// names only the package that translates one pair.
func (a *Apertium) Version(ctx context.Context) (string, error) {
	modes, err := a.modes()
	if err != nil {
		return "", err
	}
	return a.version(ctx, modes)
}

// PairVersion is Version restricted to the pair package that translates p, e.g.
// "3.8.3-1+b2 (apertium-eng-spa 0.8.1-2)": the label a suggestion for p should carry.
func (a *Apertium) PairVersion(ctx context.Context, p Pair) (string, error) {
	m, err := a.mode(p)
	if err != nil {
		return "", err
	}
	return a.version(ctx, []apertiumMode{m})
}

// version asks dpkg which packages installed the modes' files and at which versions.
func (a *Apertium) version(ctx context.Context, modes []apertiumMode) (string, error) {
	paths := make([]string, len(modes))
	for i, m := range modes {
		paths[i] = filepath.Join(a.cfg.DataDir, "modes", m.name+".mode")
	}
	// dpkg-query -S prints "pkg: path" per file it knows, and exits 1 if any is unknown.
	out, _ := exec.CommandContext(ctx, "dpkg-query", append([]string{"-S"}, paths...)...).Output()
	var pkgs []string
	for line := range strings.Lines(string(out)) {
		names, _, ok := strings.Cut(line, ": ")
		if !ok || strings.HasPrefix(line, "diversion ") {
			continue
		}
		for name := range strings.SplitSeq(names, ", ") {
			if !slices.Contains(pkgs, name) {
				pkgs = append(pkgs, name)
			}
		}
	}
	slices.Sort(pkgs)
	versions := map[string]string{}
	out, _ = exec.CommandContext(ctx, "dpkg-query", append([]string{"-W", "-f", "${Package}\t${Version}\n", "apertium"}, pkgs...)...).Output()
	for line := range strings.Lines(string(out)) {
		if name, v, ok := strings.Cut(strings.TrimSpace(line), "\t"); ok && v != "" {
			versions[name] = v
		}
	}
	if err := ctx.Err(); err != nil {
		return "", fmt.Errorf("apertium version: %w", err)
	}
	core := versions["apertium"]
	if core == "" {
		core = a.programVersion(ctx)
	}
	if len(pkgs) == 0 {
		return core + " (pairs unknown)", nil
	}
	parts := make([]string, len(pkgs))
	for i, p := range pkgs {
		v := versions[p]
		if v == "" {
			v = "unknown"
		}
		parts[i] = p + " " + v
	}
	return core + " (" + strings.Join(parts, ", ") + ")", nil
}

// programVersion returns the version apertium -V reports ("Apertium 3.8.3" → "3.8.3"),
// or "unknown".
func (a *Apertium) programVersion(ctx context.Context) string {
	out, err := exec.CommandContext(ctx, a.cfg.Command, "-V").Output()
	v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(string(out)), "Apertium"))
	if err != nil || v == "" {
		return "unknown"
	}
	return v
}

// Translate translates texts with one apertium run for the whole batch.
//
// The batch is sent as HTML (apertium -f html): each text, prepared as a segment (see
// segment), is wrapped in <div id="sN">, which Apertium treats as a block and passes
// through unchanged; the output is split at these markers and checked for count and
// order. Blank texts are returned as they are without running Apertium.
//
// The process and its pipeline (a shell script with one process per stage) are killed
// when ctx is done or the configured timeout passes.
func (a *Apertium) Translate(ctx context.Context, p Pair, texts []string) ([]string, error) {
	m, err := a.mode(p)
	if err != nil {
		return nil, err
	}
	return translateNonBlank(texts, func(batch []string) ([]string, error) {
		marker := placeholderMarker(batch)
		segs := make([]segment, len(batch))
		var in strings.Builder
		for i, t := range batch {
			segs[i] = newSegment(t, marker)
			fmt.Fprintf(&in, "<div id=\"s%d\">%s</div>\n", i, segs[i].html)
		}
		out, err := a.run(ctx, m.name, in.String())
		if err != nil {
			return nil, err
		}
		bodies, err := splitSegments(out, len(segs))
		if err != nil {
			return nil, fmt.Errorf("apertium %s: %w", m.name, err)
		}
		for i, body := range bodies {
			batch[i] = segs[i].restore(body)
		}
		return batch, nil
	})
}

// splitSegments returns the bodies of the n <div id="sN"> blocks in out, in order.
func splitSegments(out string, n int) ([]string, error) {
	bodies := make([]string, n)
	for i := range n {
		open := `<div id="s` + strconv.Itoa(i) + `">`
		start := strings.Index(out, open)
		if start < 0 {
			return nil, fmt.Errorf("output lost segment %d of %d", i+1, n)
		}
		out = out[start+len(open):]
		end := strings.Index(out, "</div>")
		if end < 0 {
			return nil, fmt.Errorf("output lost the end of segment %d of %d", i+1, n)
		}
		bodies[i] = out[:end]
		out = out[end:]
	}
	if strings.Contains(out, `<div id="s`) {
		return nil, fmt.Errorf("output has more than %d segments", n)
	}
	return bodies, nil
}

// maxStderr bounds the stderr kept for error messages.
const maxStderr = 2 << 10

// run runs apertium in mode on input and returns its output.
func (a *Apertium) run(ctx context.Context, mode, input string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, a.cfg.Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.cfg.Command, "-d", a.cfg.DataDir, "-u", "-f", "html", mode)
	// The script and Transfuse leave temporary files behind when killed: give each run a
	// directory of its own, removed afterwards.
	tmp, err := os.MkdirTemp("", "concord-apertium-")
	if err != nil {
		return "", fmt.Errorf("apertium %s: %w", mode, err)
	}
	defer os.RemoveAll(tmp)
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "APERTIUM_TRANSFUSE=yes")
	cmd.Stdin = strings.NewReader(input)
	var stdout bytes.Buffer
	stderr := &clippedBuffer{max: maxStderr}
	cmd.Stdout, cmd.Stderr = &stdout, stderr
	killProcessGroup(cmd)
	cmd.WaitDelay = 2 * time.Second // output pipes are closed this long after a kill
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("apertium %s: %w (%s)", mode, err, apertiumInstallHint)
	}
	if a.started != nil {
		a.started(cmd.Process.Pid)
	}
	err = cmd.Wait()
	if ctx.Err() != nil {
		return "", fmt.Errorf("apertium %s: stopped: %w", mode, context.Cause(ctx))
	}
	if err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) && stderr.Len() > 0 {
			return "", fmt.Errorf("apertium %s: %w: %s", mode, err, clip(stderr.String(), maxStderr))
		}
		return "", fmt.Errorf("apertium %s: %w", mode, err)
	}
	return stdout.String(), nil
}

// clippedBuffer keeps the first max bytes written to it and discards the rest, so a
// chatty process neither blocks nor fills memory.
type clippedBuffer struct {
	bytes.Buffer
	max int
}

// Write implements io.Writer; it never fails.
func (b *clippedBuffer) Write(p []byte) (int, error) {
	if room := b.max - b.Len(); room > 0 {
		b.Buffer.Write(p[:min(room, len(p))])
	}
	return len(p), nil
}
