package main

import (
	"embed"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"
)

// initProject is the project folder that `kho init` writes: kho.yaml, one
// pipeline, one schema, one mart, the pipeline's CSV drop and a README.
//
//go:embed initproject
var initProject embed.FS

func newInitCmd(g *globals) *cobra.Command {
	var force bool
	cmd := &cobra.Command{
		Use:   "init DIR",
		Short: "Write a working project folder: kho.yaml, configs/pipelines/, schemas/, sql/marts/, an example of each and a README",
		Long: "Writes a project folder that `kho run --all` runs as it is: kho.yaml, an example pipeline\n" +
			"(configs/pipelines/), dataset (schemas/), mart (sql/marts/) and CSV drop (data/), and a README.\n" +
			"The project's schemas and marts are added to Kho's built-in ones. An existing file is never\n" +
			"overwritten unless --force.",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir := args[0]
			sub, err := fs.Sub(initProject, "initproject")
			if err != nil {
				return err
			}
			var files []string
			err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() {
					return err
				}
				files = append(files, p)
				return nil
			})
			if err != nil {
				return err
			}
			if !force {
				var exist []string
				for _, f := range files {
					if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
						exist = append(exist, filepath.Join(dir, f))
					}
				}
				if len(exist) > 0 {
					return usageError{fmt.Errorf("kho init %s: %d files exist already (%s…); nothing was written (--force overwrites them)", dir, len(exist), exist[0])}
				}
			}
			for _, f := range files {
				b, err := fs.ReadFile(sub, f)
				if err != nil {
					return err
				}
				out := filepath.Join(dir, filepath.FromSlash(f))
				if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
					return fmt.Errorf("kho init: %w", err)
				}
				if err := os.WriteFile(out, b, 0o644); err != nil {
					return fmt.Errorf("kho init: %w", err)
				}
			}
			w := cmd.OutOrStdout()
			fmt.Fprintf(w, "kho init: wrote %d files in %s\n", len(files), dir)
			for _, f := range files {
				fmt.Fprintf(w, "  %s\n", filepath.Join(dir, filepath.FromSlash(f)))
			}
			fmt.Fprintf(w, "next: cd %s && kho validate && kho run --all\n", dir)
			return nil
		},
	}
	cmd.Flags().BoolVar(&force, "force", false, "overwrite files that exist")
	return cmd
}
