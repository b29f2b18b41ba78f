// Command ferretdb runs FerretDB v1 (MongoDB wire protocol, SQLite backend) embedded in our own
// main package. Embedding is deliberate: the upstream cmd/ferretdb built with `go install` panics at
// start-up because its version files are not in the module zip (see ../../README.md).
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime/debug"
	"syscall"
	"time"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	if len(os.Args) > 1 && os.Args[1] == "watch-parent" {
		runWatchParent(os.Args[2:])
		return
	}
	listen := flag.String("listen", "127.0.0.1:0", "TCP address to listen on (port 0 picks a free port)")
	stateDir := flag.String("state-dir", ".data/ferretdb", "directory for the <db>.sqlite files")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	parentPid := flag.Int("parent-pid", 0, "exit when this process (the caller) dies; 0 watches whichever parent started us")
	walEvery := flag.Duration("wal-truncate-every", 10*time.Second, "how often the write-ahead logs are checkpointed and truncated (0 = never)")
	vacuum := flag.Bool("vacuum", false, "rewrite every database file (VACUUM) and exit; run once, with the service stopped, on files written before secure_delete")
	flag.Parse()

	abs, err := filepath.Abs(*stateDir)
	if err != nil {
		log.Fatal(err)
	}
	// SQLite's URL must name a directory that already exists.
	if err := os.MkdirAll(abs, 0o755); err != nil {
		log.Fatal(err)
	}
	// No "?mode=memory" option: with it, updates through findAndModify hang (seen with v1.24.2).
	// FerretDB passes these pragmas to every connection it opens (and adds WAL itself). With
	// secure_delete, deleted and overwritten documents are zeroed in their pages instead of
	// lingering in free space, so an erased customer's words leave the database file; the
	// busy timeout comes first because FerretDB's WAL switch needs it (see its pool/uri.go).
	url := "file:" + filepath.ToSlash(abs) + "/?_pragma=busy_timeout(10000)&_pragma=secure_delete(1)"

	if *vacuum {
		if err := vacuumAll(context.Background(), abs); err != nil {
			log.Fatal(err)
		}
		return
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		log.Fatalf("bad -log-level %q: %v", *logLevel, err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	// The parent's death arrives as SIGTERM (see parent.go); a polled re-parenting stops us too.
	go watchParent(*parentPid, 500*time.Millisecond, stop)
	// A clean stop takes well under a second; one that hangs must not keep an orphan alive.
	go func() {
		<-ctx.Done()
		time.Sleep(10 * time.Second)
		fmt.Fprintln(os.Stderr, "FerretDB did not stop within 10 s; exiting")
		os.Exit(1)
	}()

	// FerretDB decodes every stored document into fresh Go values, so it allocates heavily; a
	// higher GC target spends some memory (its heap is tens of MiB) to save CPU. GOGC still wins.
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}

	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Handler:   "sqlite",
		SQLiteURL: url,
		Logger:    logger,
	})
	if err != nil {
		log.Fatal(err)
	}

	// FerretDB's own _id index does not serve its _id queries; ours does (see idindex.go).
	go keepIDIndexes(ctx, abs, 500*time.Millisecond, logger)
	// Old page images (erased words among them) stay in the -wal files until truncated.
	if *walEvery > 0 {
		go truncateWALs(ctx, abs, *walEvery, logger)
	}

	// The Node side waits for this line to learn the real port.
	fmt.Printf("READY %s\n", f.MongoDBURI())
	_ = f.Run(ctx)
}
