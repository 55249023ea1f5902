package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// env returns a getenv that knows only the given variables, so tests never read the
// developer's environment.
func env(kv ...string) func(string) string {
	m := map[string]string{}
	for i := 0; i+1 < len(kv); i += 2 {
		m[kv[i]] = kv[i+1]
	}
	return func(k string) string { return m[k] }
}

// startServer runs "concord serve" in the background and returns its base URL. The server
// stops (and run must return nil) when the test ends.
func startServer(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0", "--log-level", "warn"}, args...), env(), strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			if u, ok := strings.CutPrefix(sc.Text(), "Concord is running at "); ok {
				urls <- u
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("serve returned %v after shutdown", err)
			}
		case <-time.After(30 * time.Second):
			t.Error("serve did not stop within 30s")
		}
	})
	select {
	case u := <-urls:
		return u
	case err := <-done:
		t.Fatalf("serve exited early: %v", err)
	case <-time.After(60 * time.Second):
		t.Fatal("serve did not start within 60s")
	}
	return ""
}

func get(t *testing.T, url, token string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func databases(t *testing.T) map[string]func(t *testing.T) []string {
	dbs := map[string]func(t *testing.T) []string{
		"sqlite": func(t *testing.T) []string { return []string{"--data", t.TempDir()} },
	}
	if sqldbtest.PostgresURL() != "" {
		dbs["postgres"] = func(t *testing.T) []string {
			return []string{"--data", t.TempDir(), "--database", sqldbtest.PostgresSchemaURL(t)}
		}
	}
	return dbs
}

// TestServeDemo starts the real binary's run function with the demo federation, as the
// README's quick start does, and checks health, readiness, metrics, the UI, the API with a
// token made by "concord token create", and graceful shutdown.
func TestServeDemo(t *testing.T) {
	t.Parallel()
	for name, dbArgs := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := dbArgs(t)
			base := startServer(t, append(args, "--demo")...)
			for path, want := range map[string]string{"/healthz": "ok", "/readyz": "ready"} {
				if code, body := get(t, base+path, ""); code != 200 || !strings.Contains(body, want) {
					t.Errorf("%s: %d %q", path, code, body)
				}
			}
			if code, body := get(t, base+"/", ""); code != 200 || !strings.Contains(body, "<html") {
				t.Errorf("home page: %d", code)
			}
			code, body := get(t, base+"/api/v1/organizations", "")
			if code != 200 {
				t.Fatalf("organizations: %d %s", code, body)
			}
			var list struct {
				Items []struct {
					Name    string `json:"name"`
					Country string `json:"country"`
				} `json:"items"`
			}
			if err := json.Unmarshal([]byte(body), &list); err != nil {
				t.Fatalf("organizations JSON: %v\n%s", err, body)
			}
			if len(list.Items) < 12 {
				t.Errorf("demo lists %d public organizations, want at least 12", len(list.Items))
			}
			var out strings.Builder
			if err := run(context.Background(), append([]string{"token", "create", "--login", "jonas"}, args...), env(), nil, &out, io.Discard); err != nil {
				t.Fatalf("token create: %v", err)
			}
			token := strings.TrimSpace(out.String())
			if code, body := get(t, base+"/api/v1/me", token); code != 200 || !strings.Contains(body, `"jonas"`) {
				t.Errorf("/api/v1/me with token: %d %s", code, body)
			}
			if code, _ := get(t, base+"/api/v1/me", "wrong"); code != 401 {
				t.Errorf("/api/v1/me with a wrong token: %d, want 401", code)
			}
			if code, body := get(t, base+"/metrics", ""); code != 200 || !strings.Contains(body, "concord_http_requests_total") {
				t.Errorf("metrics: %d, missing request counter", code)
			}
		})
	}
}

func TestAdminCreate(t *testing.T) {
	t.Parallel()
	for name, dbArgs := range databases(t) {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			args := dbArgs(t)
			create := func(login, password string) error {
				return run(context.Background(), append([]string{"admin", "create", "--login", login}, args...), env(),
					strings.NewReader(password+"\n"), io.Discard, io.Discard)
			}
			if err := create("first", "short"); err == nil || !strings.Contains(err.Error(), "password") {
				t.Fatalf("short password: %v", err)
			}
			if err := create("first", "a long enough password"); err != nil {
				t.Fatalf("first admin: %v", err)
			}
			if err := create("second", "a long enough password"); err == nil {
				t.Fatal("a second 'admin create' succeeded; setup must work only once")
			}
		})
	}
}

func TestBackupWhileServing(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	startServer(t, "--data", dir, "--demo")
	out := filepath.Join(t.TempDir(), "copy.db")
	var stdout strings.Builder
	if err := run(context.Background(), []string{"backup", "--data", dir, "--out", out}, env(), nil, &stdout, io.Discard); err != nil {
		t.Fatalf("backup: %v", err)
	}
	if err := run(context.Background(), []string{"backup", "--data", dir, "--out", out}, env(), nil, io.Discard, io.Discard); err == nil {
		t.Error("backup overwrote an existing file")
	}
	db, err := sqldb.Open(context.Background(), "sqlite:"+out)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	n := 0
	if err := db.View(context.Background(), func(tx *sqldb.Tx) error {
		orgs, err := tx.ListOrganizations(sqldb.OrgFilter{})
		n = len(orgs)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if n < 15 {
		t.Errorf("backup holds %d organizations, want the demo's 16", n)
	}
}

func TestConfigFromEnvironment(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	err := run(context.Background(), []string{"migrate"}, env("CONCORD_DATA", dir), nil, io.Discard, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "concord.db")); err != nil {
		t.Errorf("CONCORD_DATA was not used: %v", err)
	}
	if err := run(context.Background(), []string{"serve", "--database", "mysql://x"}, env(), nil, io.Discard, io.Discard); err == nil {
		t.Error("an unsupported database URL was accepted")
	}
	if err := run(context.Background(), []string{"serve"}, env("CONCORD_DEMO", "maybe"), nil, io.Discard, io.Discard); err == nil {
		t.Error("CONCORD_DEMO=maybe was accepted")
	}
}
