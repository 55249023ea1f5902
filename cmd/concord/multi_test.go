package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"concord"
	"concord/internal/auth"
	"concord/internal/live"
	"concord/internal/sqldb"
	"concord/internal/sqldb/sqldbtest"
)

// TestTwoInstancesShareLiveEvents runs two "concord serve" instances on one PostgreSQL
// database with NATS: a response acknowledged by instance A reaches a watcher connected to
// instance B.
func TestTwoInstancesShareLiveEvents(t *testing.T) {
	t.Parallel()
	natsURL := os.Getenv("CONCORD_TEST_NATS")
	if sqldbtest.PostgresURL() == "" || natsURL == "" {
		if os.Getenv("CI") != "" && sqldbtest.PostgresURL() != "" {
			t.Fatal("CONCORD_TEST_NATS is not set in CI")
		}
		t.Skip("needs CONCORD_TEST_POSTGRES and CONCORD_TEST_NATS")
	}
	dbURL := sqldbtest.PostgresSchemaURL(t)
	ctx := context.Background()
	a := startServer(t, "--data", t.TempDir(), "--database", dbURL, "--nats", natsURL, "--apertium", "off")
	b := startServer(t, "--data", t.TempDir(), "--database", dbURL, "--nats", natsURL, "--apertium", "off")

	// Seed: staff with a token, one member organization with a delegate holding a token.
	db, err := sqldb.Open(ctx, dbURL)
	sqldbtest.Must(t, err)
	defer db.Close()
	now := time.Now().UTC()
	staffToken, delegateToken := "cc_"+concord.NewSecret(16), "cc_"+concord.NewSecret(16)
	org := &concord.Organization{ID: concord.NewID(now), Name: "Bund", NameLang: "de", Country: "DE", Region: "europe",
		Status: concord.StatusMember, CreatedAt: now, UpdatedAt: now}
	sqldbtest.Must(t, db.WithTx(ctx, func(tx *sqldb.Tx) error {
		staff := &concord.Person{ID: concord.NewID(now), Login: "coordinator", DisplayName: "Coordinator",
			FederationRoles: []concord.FederationRole{concord.FedCoordinator}, CreatedAt: now}
		delegate := &concord.Person{ID: concord.NewID(now), Login: "delegate", DisplayName: "Delegate", CreatedAt: now}
		for _, err := range []error{tx.InsertOrganization(org), tx.InsertPerson(staff, ""), tx.InsertPerson(delegate, ""),
			tx.InsertMandate(&concord.Mandate{ID: concord.NewID(now), PersonID: delegate.ID, OrgID: org.ID, Role: concord.RoleDelegate,
				ValidFrom: now.AddDate(0, 0, -1), CreatedAt: now}),
			tx.InsertAPIToken(&concord.APIToken{ID: concord.NewID(now), PersonID: staff.ID, Name: "t", CreatedAt: now}, auth.HashSecret(staffToken)),
			tx.InsertAPIToken(&concord.APIToken{ID: concord.NewID(now), PersonID: delegate.ID, Name: "t", CreatedAt: now}, auth.HashSecret(delegateToken)),
		} {
			if err != nil {
				return err
			}
		}
		return nil
	}))

	var proc struct {
		ID string `json:"id"`
	}
	post(t, a+"/api/v1/procedures", staffToken, map[string]any{
		"question": "Adopt the joint call?", "rule": map[string]any{"kind": "signatures", "min_signatures": 1},
		"electorate": map[string]any{"kind": "members"}, "visibility": "public",
		"deadline": now.Add(time.Hour).Format(time.RFC3339)}, 201, &proc)

	// Watch on B.
	streamCtx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, _ := http.NewRequestWithContext(streamCtx, "GET", b+"/api/v1/procedures/"+proc.ID+"/events", nil)
	resp, err := http.DefaultClient.Do(req)
	sqldbtest.Must(t, err)
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		t.Fatalf("events on B: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	seen := make(chan int, 16)
	go func() {
		_ = live.ReadEvents(resp.Body, func(e live.Event) error {
			if e.Name == "tally" {
				var tally struct {
					Responded int `json:"responded"`
				}
				if json.Unmarshal(e.Data, &tally) == nil {
					seen <- tally.Responded
				}
			}
			return nil
		})
		close(seen)
	}()
	time.Sleep(300 * time.Millisecond) // let B's subscription settle before A publishes

	// Respond on A.
	post(t, a+"/api/v1/procedures/"+proc.ID+"/responses", delegateToken, map[string]any{
		"organization_id": org.ID, "answer": "sign"}, 201, nil)
	for n := range seen {
		if n == 1 {
			return // B's watcher saw A's response
		}
	}
	t.Fatal("the watcher on instance B never saw the response acknowledged by instance A")
}

func post(t *testing.T, url, token string, body any, want int, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("POST %s: %d, want %d: %s", url, resp.StatusCode, want, data)
	}
	if out != nil {
		if err := json.Unmarshal(data, out); err != nil {
			t.Fatalf("POST %s: %v", url, err)
		}
	}
}
