package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"
)

// truncateWALs checkpoints every database's write-ahead log into the database file and truncates
// it to zero bytes, every `every` until ctx ends. A WAL keeps old page images, erased documents
// among them, until it wraps around; secure_delete zeroes freed space only in the newest page
// images. After a truncating checkpoint the files hold no copy of a deleted document: erased
// words leave the disk within one period. An empty WAL is skipped, so an idle database costs
// nothing; a busy one (readers on an older snapshot) is tried again at the next tick.
func truncateWALs(ctx context.Context, dir string, every time.Duration, logger *slog.Logger) {
	ticker := time.NewTicker(every)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
		}
		files, _ := filepath.Glob(filepath.Join(dir, "*.sqlite"))
		for _, file := range files {
			if info, err := os.Stat(file + "-wal"); err != nil || info.Size() == 0 {
				continue
			}
			if err := truncateWAL(ctx, file); err != nil {
				logger.Debug("WAL truncation failed; will retry", "file", file, "err", err)
			}
		}
	}
}

// truncateWAL runs one truncating checkpoint on `file`. The short busy timeout bounds how long
// FerretDB's writers may wait behind it.
func truncateWAL(ctx context.Context, file string) error {
	db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(file)+"?_pragma=busy_timeout(1000)")
	if err != nil {
		return err
	}
	defer db.Close()
	var busy, logFrames, checkpointed int
	if err := db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)").Scan(&busy, &logFrames, &checkpointed); err != nil {
		return err
	}
	if busy != 0 {
		return errors.New("database busy; checkpoint incomplete")
	}
	return nil
}

// vacuumAll rewrites every database file in dir from its live rows (VACUUM), so text freed
// before secure_delete was on leaves the files, then truncates the WAL. FerretDB must not be
// running on dir: VACUUM needs the database to itself.
func vacuumAll(ctx context.Context, dir string) error {
	files, err := filepath.Glob(filepath.Join(dir, "*.sqlite"))
	if err != nil {
		return err
	}
	for _, file := range files {
		db, err := sql.Open("sqlite", "file:"+filepath.ToSlash(file)+"?_pragma=busy_timeout(5000)&_pragma=secure_delete(1)")
		if err != nil {
			return err
		}
		_, err = db.ExecContext(ctx, "VACUUM")
		if err == nil {
			_, err = db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
		}
		db.Close()
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		fmt.Printf("vacuumed %s\n", file)
	}
	return nil
}
