// Command concord is the Concord server and its administration commands.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	_ "time/tzdata" // time zones work on machines without a zoneinfo database
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "concord:", err)
		os.Exit(1)
	}
}

const usage = `Concord — the coordination platform of an international federation.

Usage:
  concord serve [--addr 127.0.0.1:8080] [--data ./concord-data] [--database URL] [--demo]
  concord admin create --login LOGIN [--display-name NAME]   (password from stdin or a prompt)
  concord token create --login LOGIN [--name NAME]           (prints a new API token)
  concord backup --out FILE [--data DIR]                      (consistent copy of a running SQLite database)
  concord migrate                                             (apply schema migrations and exit)
  concord bench [--orgs 2000] [--watchers 10000] [--clients 256] [--db URL]
                                                              (response burst with live watchers vs bare baselines)

Every flag also reads an environment variable: CONCORD_ADDR, CONCORD_DATA, CONCORD_DATABASE, ...
Run "concord serve -h" for all settings.
`

// run is the whole program; tests call it with their own arguments, environment and streams.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command given")
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "admin":
		if len(rest) == 0 || rest[0] != "create" {
			return errors.New(`usage: concord admin create --login LOGIN`)
		}
		return adminCreate(ctx, rest[1:], getenv, stdin, stdout, stderr)
	case "token":
		if len(rest) == 0 || rest[0] != "create" {
			return errors.New(`usage: concord token create --login LOGIN`)
		}
		return tokenCreate(ctx, rest[1:], getenv, stdout, stderr)
	case "backup":
		return backup(ctx, rest, getenv, stdout, stderr)
	case "migrate":
		return migrate(ctx, rest, getenv, stdout, stderr)
	case "bench", "bench-helper":
		return benchCommand(ctx, cmd, rest, stdin, stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprint(stderr, usage)
		return fmt.Errorf("unknown command %q", cmd)
	}
}
