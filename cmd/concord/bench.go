package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"

	"concord/internal/bench"
)

// benchCommand runs "concord bench" and its hidden helper processes ("bench-helper ...").
func benchCommand(ctx context.Context, cmd string, args []string, stdin io.Reader, stdout, stderr io.Writer) error {
	if cmd == "bench-helper" {
		return bench.Helper(ctx, args, stdin, stdout, stderr)
	}
	cfg := bench.Config{Log: stderr}
	var out string
	fs := flag.NewFlagSet("concord bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: concord bench [--orgs 2000] [--watchers 10000] [--clients 256] [--rounds 3] [--db sqlite|postgres://…] [--out text|json]

Starts a Concord server on loopback with a fresh database, seeds E member organizations
with a delegate and an API token each, opens a public signature procedure, connects W SSE
watchers (in a separate process) and fires the E responses in a burst from C keep-alive
clients. Runs the baselines of DESIGN.md §9 in the same run (a bare group-commit insert
handler, a bare SSE fan-out) and prints every result with its ratio to its baseline.

`)
		fs.PrintDefaults()
	}
	fs.IntVar(&cfg.Orgs, "orgs", 2000, "E: member organizations, each responding once")
	fs.IntVar(&cfg.Watchers, "watchers", 10000, "W: SSE watchers connected during the burst")
	fs.IntVar(&cfg.Clients, "clients", 256, "C: concurrent keep-alive clients firing the burst")
	fs.StringVar(&cfg.Database, "db", "sqlite", `"sqlite" (a fresh file) or a postgres:// URL (a fresh schema in that database, dropped afterwards)`)
	fs.IntVar(&cfg.Rounds, "rounds", 3, "run the scenario and its baselines this many times, interleaved; budgets use the medians")
	fs.StringVar(&out, "out", "text", "output: text or json")
	fs.BoolVar(&cfg.TokensUsed, "tokens-used", false, "seed the API tokens as used a moment ago (default: each response is its token's first use)")
	fs.StringVar(&cfg.CPUProfile, "cpuprofile", "", "write a CPU profile of the Concord server to this file (the last round's)")
	fs.StringVar(&cfg.Exe, "exe", "", "concord binary to run as server and helpers (default: this program)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if out != "text" && out != "json" {
		return errors.New("--out: want text or json")
	}
	if cfg.Exe == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("find this program: %w", err)
		}
		cfg.Exe = exe
	}
	rep, err := bench.Run(ctx, cfg)
	if err != nil {
		return err
	}
	if out == "json" {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		rep.WriteText(stdout)
	}
	if !rep.Complete() {
		return errors.New("bench: incomplete run: " + rep.Budgets[0].Value)
	}
	return nil
}
