package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/internal/sqlitedsn"
	"github.com/sonla-data/kho/warehouse/lake"
)

// sideDBs are the SQLite files beside the lake that a backup holds: the
// run history and the security database (tokens, the audit chain's head).
var sideDBs = []string{"runs.db", "security.db"}

// keyFile is the warehouse secret the masked identifiers' pseudonyms are
// keyed with (kho serve makes it): restored without it, every token's
// pseudonyms would change.
const keyFile = "pseudonym.key"

func newLakeBackupCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "backup DIR",
		Short: "Back the lake up into DIR, online and incrementally: catalog, metadata, data files, run history, security database",
		Long: "Copies the catalog with SQLite's VACUUM INTO (consistent while runs go on; a PostgreSQL catalog's rows are read in\n" +
			"one REPEATABLE READ transaction into a SQLite file of the same tables), then the metadata, manifests and\n" +
			"data files of every retained snapshot it references, into DIR/lake; a file already in DIR with its size is not\n" +
			"copied again, and files an earlier backup held that are no longer referenced are removed. The run history and\n" +
			"the security database are copied the same way into DIR. `kho lake restore DIR` puts it back.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			a, err := openFor(cmd, g, false)
			if err != nil {
				return err
			}
			defer a.close()
			start := time.Now()
			res, err := a.lake.Backup(cmd.Context(), args[0])
			if err != nil {
				return err
			}
			for _, name := range sideDBs {
				src := filepath.Join(a.cfg.DataDir, name)
				if _, err := os.Stat(src); err != nil {
					continue
				}
				if err := vacuumInto(cmd.Context(), src, filepath.Join(args[0], name)); err != nil {
					return err
				}
			}
			if src := filepath.Join(a.cfg.DataDir, keyFile); fileExists(src) {
				dst := filepath.Join(args[0], keyFile)
				_ = os.Remove(dst)
				if err := copyPlain(src, dst); err != nil {
					return fmt.Errorf("backing up %s: %w", keyFile, err)
				}
			}
			fmt.Fprintf(cmd.OutOrStdout(), "backed up %d table(s) into %s: %d files, %d bytes; copied %d files (%d bytes), removed %d no longer referenced; with %s; %.1fs\n",
				res.Tables, args[0], res.Files, res.Bytes, res.Copied, res.CopiedBytes, res.Pruned, strings.Join(append(sideDBs, keyFile), ", "), time.Since(start).Seconds())
			return nil
		},
	}
}

func newLakeRestoreCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "restore DIR",
		Short: "Verify the backup in DIR and put it in place of the lake (the old lake is kept beside it)",
		Long: "Copies the backup beside the lake's root, opens it there and checks every table (metadata, manifests, data files\n" +
			"with their sizes); only then moves the current root aside (<root>.before-restore-<time>) and puts the backup in\n" +
			"its place, with the run history and the security database. With a PostgreSQL catalog the verified catalog is\n" +
			"written into the database lake.catalog.dsn names (a fresh one, or this lake's own, whose rows are saved first).\n" +
			"Stop kho serve and kho schedule first. A restore cut short is finished by running it again.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			res, err := lake.Restore(cmd.Context(), args[0], cfg.Lake)
			if err != nil {
				return err
			}
			stamp := time.Now().In(hcmZone).Format("20060102T150405-07")
			for _, name := range append(sideDBs, keyFile) {
				src := filepath.Join(args[0], name)
				if _, err := os.Stat(src); err != nil {
					continue
				}
				dst := filepath.Join(cfg.DataDir, name)
				for _, suffix := range []string{"", "-wal", "-shm"} {
					if _, err := os.Stat(dst + suffix); err == nil {
						if err := os.Rename(dst+suffix, dst+suffix+".before-restore-"+stamp); err != nil {
							return err
						}
					}
				}
				lake.At("restore:side-file-aside")
				if err := copyPlain(src, dst); err != nil {
					return fmt.Errorf("restoring %s: %w", name, err)
				}
			}
			prev := ""
			if res.Previous != "" {
				prev = "; the replaced lake is at " + res.Previous
			}
			if res.PreviousCatalog != "" {
				prev += "; the PostgreSQL catalog's rows before the restore are saved in " + res.PreviousCatalog
			}
			fmt.Fprintf(cmd.OutOrStdout(), "restored %d table(s) from %s, verified%s\n", res.Tables, args[0], prev)
			return nil
		},
	}
}

// vacuumInto writes a consistent copy of a SQLite database.
func vacuumInto(ctx context.Context, src, dst string) error {
	db, err := sql.Open("sqlite", sqlitedsn.File(src, "_pragma=busy_timeout(10000)"))
	if err != nil {
		return err
	}
	defer db.Close()
	tmp := dst + ".tmp"
	_ = os.Remove(tmp)
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if _, err := db.ExecContext(ctx, `VACUUM INTO '`+strings.ReplaceAll(tmp, "'", "''")+`'`); err != nil {
		return fmt.Errorf("copying %s: %w", src, err)
	}
	return os.Rename(tmp, dst)
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// copyPlain copies src to dst, which must not exist, through a temporary
// file (synced, then renamed): a copy cut short leaves no half file at dst.
func copyPlain(src, dst string) error {
	if _, err := os.Lstat(dst); err == nil {
		return fmt.Errorf("%s exists", dst)
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".tmp"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		return err
	}
	if err := out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
