// Package browsertest drives a real headless Chromium (Debian's chromium package) with
// chromedp, for end-to-end tests of a Concord server that the test starts in-process,
// e.g. with httptest.NewServer.
//
//	b := browsertest.NewBrowser(t)        // one Chromium per test (or per parent test)
//	ctx := b.NewContext(t)                // fresh cookies, 60s timeout, screenshot on failure
//	browsertest.Visit(ctx, srv.URL+"/login")
//	browsertest.Fill(ctx, "#email", "ana@example.org")
//	browsertest.Click(ctx, "button[type=submit]")
//	browsertest.WaitVisible(ctx, "#welcome")
//
// Selectors are CSS selectors; each helper uses the first match and waits for it to be
// present (or visible, where the helper says so). The helpers fail the test through the
// testing.TB of NewContext, so they must be called from the test's own goroutine.
//
// Chromium is found through $CONCORD_CHROMIUM, then /usr/bin/chromium, then "chromium"
// on PATH. Install it with: apt-get install chromium.
package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// InstallHint tells how to install Chromium.
const InstallHint = "apt-get install chromium (Debian's package; /usr/bin/chromium)"

// DefaultTimeout bounds everything one browser context does.
const DefaultTimeout = 60 * time.Second

// startTimeout bounds the start of Chromium and of each new browser context.
const startTimeout = 60 * time.Second

// Browser is one running Chromium process, shared by the contexts made from it.
type Browser struct {
	// Timeout bounds each context that NewContext makes; zero means DefaultTimeout.
	Timeout time.Duration

	ctx    context.Context // chromedp context that owns the browser process
	output *tailBuffer     // Chromium's stdout and stderr, for failure reports
}

// NewBrowser starts a headless Chromium that is stopped when the test ends. Without
// Chromium it skips the test, or fails it when $CI is set or CONCORD_REQUIRE_TOOLS=1.
func NewBrowser(tb testing.TB) *Browser {
	tb.Helper()
	path, err := findChromium()
	if err != nil {
		msg := fmt.Sprintf("browsertest: Chromium not found (%v); install it with: %s", err, InstallHint)
		if requireTools() {
			tb.Fatal(msg + " (required because CI or CONCORD_REQUIRE_TOOLS=1 is set)")
		}
		tb.Skip(msg)
	}

	output := &tailBuffer{limit: 64 << 10}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		// This machine's network is closed: without these Chromium keeps dialing
		// Google's services in the background.
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(output),
		// No UserDataDir option: chromedp then passes a fresh temporary
		// --user-data-dir and removes it, with any leftover process, at the end.
	)
	allocCtx, allocCancel := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	b := &Browser{ctx: ctx, output: output}
	tb.Cleanup(func() {
		stopCtx, stop := context.WithTimeout(ctx, 10*time.Second)
		if err := chromedp.Cancel(stopCtx); err != nil && !errors.Is(err, context.Canceled) {
			tb.Logf("browsertest: closing Chromium: %v", err)
		}
		stop()
		cancel()
		allocCancel()
		if tb.Failed() {
			tb.Logf("browsertest: Chromium output (last %d KiB):\n%s", output.limit>>10, output.String())
		}
	})

	// The first Do starts the process. Its context must live as long as the browser,
	// so a timer, not a context deadline, bounds the start.
	watchdog := time.AfterFunc(startTimeout, cancel)
	err = chromedp.Do(ctx)
	if !watchdog.Stop() {
		err = fmt.Errorf("not started within %s: %w", startTimeout, err)
	}
	if err != nil {
		tb.Fatalf("browsertest: start %s: %v\nChromium output:\n%s", path, err, output.String())
	}
	return b
}

// NewContext returns a context for a new tab in a new browser context, which has its
// own cookies, storage and cache, like a fresh incognito window: two contexts never
// share a session. The context ends after b.Timeout and when the test ends. If the
// test has failed by then, a PNG screenshot of the tab is saved to $CONCORD_ARTIFACTS
// (or a new directory under the system's temporary directory) and its path is logged.
func (b *Browser) NewContext(tb testing.TB) context.Context {
	tb.Helper()
	tabCtx, closeTab := chromedp.NewContext(b.ctx, chromedp.WithNewBrowserContext())

	// The first Do creates the browser context and the tab, whose event loop lives
	// as long as the context of that first call: tabCtx, bounded by a timer.
	watchdog := time.AfterFunc(startTimeout, closeTab)
	err := chromedp.Do(tabCtx)
	if !watchdog.Stop() {
		err = fmt.Errorf("not ready within %s: %w", startTimeout, err)
	}
	if err != nil {
		closeTab()
		tb.Fatalf("browsertest: new browser context: %v", err)
	}

	timeout := b.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(tabCtx, timeout)
	ctx = context.WithValue(ctx, tbKey{}, tb)
	tb.Cleanup(func() {
		cancel()
		if tb.Failed() {
			if path, err := saveScreenshot(tabCtx, tb.Name()); err != nil {
				tb.Logf("browsertest: no screenshot: %v", err)
			} else {
				tb.Logf("browsertest: screenshot of the page at failure: %s", path)
			}
		}
		closeTab()
	})
	return ctx
}

// saveScreenshot writes a full-page PNG of the tab of tabCtx and returns its path.
func saveScreenshot(tabCtx context.Context, testName string) (string, error) {
	ctx, cancel := context.WithTimeout(tabCtx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100)) // quality 100 means PNG
	if err != nil {
		return "", fmt.Errorf("capture screenshot: %w", err)
	}
	dir := os.Getenv("CONCORD_ARTIFACTS")
	if dir == "" {
		// Not t.TempDir(): it is removed when the test ends, and the point of the
		// screenshot is to be looked at afterwards.
		if dir, err = os.MkdirTemp("", "concord-artifacts-"); err != nil {
			return "", fmt.Errorf("artifacts dir: %w", err)
		}
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("artifacts dir: %w", err)
	}
	name := unsafeFileChars.ReplaceAllString(testName, "_") + "-" + time.Now().Format("20060102-150405.000") + ".png"
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, png, 0o644); err != nil {
		return "", fmt.Errorf("write screenshot: %w", err)
	}
	return path, nil
}

// unsafeFileChars matches what should not go into a file name made from a test name.
var unsafeFileChars = regexp.MustCompile(`[^A-Za-z0-9._-]+`)

// tbKey is the context key of the testing.TB that the helpers report failures to.
type tbKey struct{}

// testingTB returns the testing.TB stored by NewContext.
func testingTB(ctx context.Context) testing.TB {
	tb, ok := ctx.Value(tbKey{}).(testing.TB)
	if !ok {
		panic("browsertest: the context does not come from Browser.NewContext")
	}
	return tb
}

// Visit opens url in the tab and waits for the page's load event.
func Visit(ctx context.Context, url string) {
	tb := testingTB(ctx)
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.Navigate(url)); err != nil {
		tb.Fatalf("browsertest: visit %s: %v", url, err)
	}
}

// Fill replaces the value of the visible form field selector with value: it types into
// inputs and text areas (firing key and input events) and picks the option of a select.
func Fill(ctx context.Context, selector, value string) {
	tb := testingTB(ctx)
	tb.Helper()
	nodes, err := chromedp.Run(ctx, chromedp.Nodes(chromedp.CSS(selector), chromedp.NodeVisible))
	if err != nil {
		tb.Fatalf("browsertest: fill %s: %v", selector, err)
	}
	sel := chromedp.NodeIDs{nodes[0].NodeID}
	var steps []chromedp.Action[chromedp.Void]
	if nodes[0].NodeName == "SELECT" {
		// Sets the property and fires input and change events; fails if no option has value.
		steps = append(steps, chromedp.SetValue(sel, value))
	} else {
		// chromedp.SetValue cannot set "" (v0.23.0 reports a failure), so clear with a script.
		steps = append(steps, chromedp.Evaluate[chromedp.Void](`(e => { e.value = ""; `+
			`e.dispatchEvent(new Event("input", {bubbles: true})); })(document.querySelector(`+jsString(selector)+`))`))
		if value != "" {
			steps = append(steps, chromedp.SendKeys(sel, value))
		}
	}
	if err := chromedp.Do(ctx, steps...); err != nil {
		tb.Fatalf("browsertest: fill %s: %v", selector, err)
	}
}

// Click clicks the visible element selector with the mouse. A click that submits a
// form or follows a link does not wait for the next page: wait for an element of it.
func Click(ctx context.Context, selector string) {
	tb := testingTB(ctx)
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(selector))); err != nil {
		tb.Fatalf("browsertest: click %s: %v", selector, err)
	}
}

// Text returns the rendered text (innerText) of the element selector.
func Text(ctx context.Context, selector string) string {
	tb := testingTB(ctx)
	tb.Helper()
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(selector)))
	if err != nil {
		tb.Fatalf("browsertest: text of %s: %v", selector, err)
	}
	return text
}

// Attr returns the attribute name of the element selector, and "" when the element
// has no such attribute.
func Attr(ctx context.Context, selector, name string) string {
	tb := testingTB(ctx)
	tb.Helper()
	res, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(selector), name))
	if err != nil {
		tb.Fatalf("browsertest: attribute %s of %s: %v", name, selector, err)
	}
	return res.Value
}

// WaitVisible waits until the element selector exists and is visible.
func WaitVisible(ctx context.Context, selector string) {
	tb := testingTB(ctx)
	tb.Helper()
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(selector))); err != nil {
		tb.Fatalf("browsertest: wait for %s to be visible: %v", selector, err)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	b, _ := json.Marshal(s) // a string always marshals
	return string(b)
}

// findChromium looks for Chromium in $CONCORD_CHROMIUM, /usr/bin/chromium and PATH.
func findChromium() (string, error) {
	if p := os.Getenv("CONCORD_CHROMIUM"); p != "" {
		if isExecutable(p) {
			return p, nil
		}
		return "", fmt.Errorf("CONCORD_CHROMIUM=%s is not an executable file", p)
	}
	if p := "/usr/bin/chromium"; isExecutable(p) {
		return p, nil
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p, nil
	}
	return "", errors.New("not in $CONCORD_CHROMIUM, /usr/bin/chromium or PATH")
}

// isExecutable reports whether p is a regular file with an execute bit.
func isExecutable(p string) bool {
	fi, err := os.Stat(p)
	return err == nil && fi.Mode().IsRegular() && fi.Mode().Perm()&0o111 != 0
}

// requireTools reports whether missing test tools must fail tests instead of skipping them.
func requireTools() bool {
	return os.Getenv("CI") != "" || os.Getenv("CONCORD_REQUIRE_TOOLS") == "1"
}

// tailBuffer keeps the last limit bytes written to it; safe for concurrent use.
type tailBuffer struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	limit int
}

// Write appends p, dropping the oldest bytes beyond the limit.
func (b *tailBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.buf.Write(p)
	if extra := b.buf.Len() - b.limit; extra > 0 {
		b.buf.Next(extra)
	}
	return len(p), nil
}

// String returns the bytes kept.
func (b *tailBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
