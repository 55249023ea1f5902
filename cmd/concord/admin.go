package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"

	"concord"
	"concord/internal/auth"
	"concord/internal/config"
	"concord/internal/sqldb"

	"golang.org/x/term"
)

// openDB opens and migrates the configured database.
func openDB(ctx context.Context, cfg *config.Config) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, cfg.Database())
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

func adminCreate(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	var login, display string
	cfg, err := config.Parse("concord admin create", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "login of the first federation admin")
		fs.StringVar(&display, "display-name", "", "display name (default: the login)")
	})
	if err != nil {
		return err
	}
	if login == "" {
		return errors.New("--login is required")
	}
	password, err := readPassword(stdin, stderr)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := auth.NewService(db, concord.SystemClock{}, auth.DefaultPasswordParams)
	p := &concord.Person{Login: login, DisplayName: display}
	if err := svc.CreateFirstAdmin(ctx, p, password); err != nil {
		return describe(err)
	}
	fmt.Fprintf(stdout, "Created federation admin %q.\n", p.Login)
	return nil
}

// readPassword reads a password: from a prompt without echo on a terminal, else the first
// line of stdin.
func readPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	if f, ok := stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(stderr, "Password: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(stderr, "Repeat password: ")
		again, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(stderr)
		if err != nil {
			return "", err
		}
		if string(b) != string(again) {
			return "", errors.New("the passwords differ")
		}
		return string(b), nil
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("no password on standard input")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func tokenCreate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var login, name string
	cfg, err := config.Parse("concord token create", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&login, "login", "", "login of the person the token acts as")
		fs.StringVar(&name, "name", "command line", "a name to recognize the token by")
	})
	if err != nil {
		return err
	}
	if login == "" {
		return errors.New("--login is required")
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	svc := auth.NewService(db, concord.SystemClock{}, auth.DefaultPasswordParams)
	var personID string
	if err := db.View(ctx, func(tx *sqldb.Tx) error {
		p, err := tx.GetPersonByLogin(concord.NormalizeLogin(login))
		if err != nil {
			return err
		}
		personID = p.ID
		return nil
	}); err != nil {
		return describe(err)
	}
	actor, err := svc.LoadActor(ctx, personID)
	if err != nil {
		return describe(err)
	}
	_, secret, err := svc.CreateToken(ctx, actor, name)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintln(stdout, secret)
	return nil
}

func backup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	var out string
	cfg, err := config.Parse("concord backup", args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.StringVar(&out, "out", "", "file to write the backup to (must not exist)")
	})
	if err != nil {
		return err
	}
	if out == "" {
		return errors.New("--out is required")
	}
	if cfg.DatabaseURL != "" && !strings.HasPrefix(cfg.DatabaseURL, "sqlite:") {
		return errors.New("backup copies SQLite installations; for PostgreSQL use pg_dump (see README)")
	}
	if _, err := os.Stat(out); err == nil {
		return fmt.Errorf("%s exists already; choose a new file", out)
	}
	if _, err := os.Stat(cfg.SQLitePath()); err != nil {
		return fmt.Errorf("no database at %s: %w", cfg.SQLitePath(), err)
	}
	db, err := sqldb.Open(ctx, cfg.Database())
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Backup(ctx, out); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "Backup written to %s\n", out)
	return nil
}

func migrate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg, err := config.Parse("concord migrate", args, getenv, stderr)
	if err != nil {
		return err
	}
	db, err := openDB(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintf(stdout, "Database (%s) is up to date.\n", db.Dialect())
	return nil
}

// describe turns a domain validation error into a readable message for the terminal.
func describe(err error) error {
	e := concord.AsError(err)
	if e == nil || len(e.Fields) == 0 {
		return err
	}
	var parts []string
	for _, f := range e.Fields {
		parts = append(parts, f.Field+" "+f.Message)
	}
	return errors.New(strings.Join(parts, "; "))
}
