package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"github.com/sonla-data/kho/schemas"
	"github.com/sonla-data/kho/security/audit"
	"github.com/sonla-data/kho/security/auth"
)

func currentUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

func newTokenCmd(g *globals) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "token",
		Short: "Create, list and revoke access tokens (HTTP API and PostgreSQL password)",
		Long: "Tokens give access to `kho serve`: as `Authorization: Bearer <token>` over HTTP, or as the\n" +
			"password of the PostgreSQL wire port. Roles: admin, engineer, analyst, dashboard, public.\n" +
			"Open datasets: every role. Shared: engineer, analyst and admin of the owner agency (--agency)\n" +
			"or a --grant. Restricted: only a --grant, admin included. Marts: dashboard, analyst, engineer,\n" +
			"admin. Quarantines: engineer and admin of the owner agency, or a --grant. Personal data is\n" +
			"masked unless --pii. Tokens are stored hashed; the secret is shown once.",
	}
	cmd.AddCommand(newTokenCreateCmd(g), newTokenListCmd(g), newTokenRevokeCmd(g))
	return cmd
}

func openTokens(ctx context.Context, cfg *Config) (*auth.Store, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return nil, fmt.Errorf("creating %s: %w", cfg.DataDir, err)
	}
	path, _ := securityFiles(cfg)
	return auth.Open(ctx, path)
}

func newTokenCreateCmd(g *globals) *cobra.Command {
	var n auth.NewToken
	var role string
	cmd := &cobra.Command{
		Use:   "create --role ROLE --name NAME [--agency AGENCY] [--grant DATASET...] [--pii]",
		Short: "Create a token and print its secret (once)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			n.Role = auth.Role(role)
			if err := n.Validate(); err != nil {
				return usageError{err}
			}
			if err := checkGrants(cfg, n.Grants); err != nil {
				return usageError{err}
			}
			n.CreatedBy = operator()
			ctx := cmd.Context()
			store, err := openTokens(ctx, cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			secret, t, err := store.Create(ctx, n)
			if err != nil {
				return err
			}
			detail, _ := json.Marshal(map[string]any{"name": t.Name, "role": t.Role, "agency": t.Agency, "grants": t.Grants, "pii": t.PII})
			if err := auditAdmin(ctx, cfg, audit.Entry{Action: "token.create", Object: t.ID, SQL: string(detail), Outcome: audit.OK}); err != nil {
				return fmt.Errorf("the token %s was created but the audit log could not be written: %w", t.ID, err)
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Đã tạo token / created token %s (%s, %s)\n", t.ID, t.Name, t.Role)
			fmt.Fprintln(out, "Bí mật, chỉ hiện một lần / secret, shown once:")
			fmt.Fprintln(out, secret)
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&role, "role", "", "admin | engineer | analyst | dashboard | public")
	f.StringVar(&n.Name, "name", "", "who or what the token is for")
	f.StringVar(&n.Agency, "agency", "", "the agency the token belongs to (owner of shared datasets), e.g. \"Sở Y tế\"")
	f.StringSliceVar(&n.Grants, "grant", nil, "a dataset, mart, quarantine or domain.* the token may read besides its role's (repeatable)")
	f.BoolVar(&n.PII, "pii", false, "unmask personal data (CCCD, phones, emails, names…) in what the token reads")
	_ = cmd.MarkFlagRequired("role")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

// checkGrants refuses grants of tables Kho does not know.
func checkGrants(cfg *Config, grants []string) error {
	if len(grants) == 0 {
		return nil
	}
	set, _, ms, err := loadDefinitions(cfg)
	if err != nil && set == nil {
		return err
	}
	known := map[string]bool{}
	for _, d := range schemas.Domains {
		known[d+".*"] = true
	}
	for _, d := range set.All() {
		known[d.Name], known[d.Name+"__quarantine"] = true, true
	}
	for _, m := range ms {
		known["marts."+m.Name] = true
	}
	var bad []string
	for _, gr := range grants {
		if !known[gr] {
			bad = append(bad, gr)
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("không có bảng / no such table: %s (a dataset, dataset__quarantine, marts.<mart> or domain.*)", strings.Join(bad, ", "))
	}
	return nil
}

func newTokenListCmd(g *globals) *cobra.Command {
	var format string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List tokens (never their secrets)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			store, err := openTokens(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			ts, err := store.List(cmd.Context())
			if err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if format == "json" {
				enc := json.NewEncoder(out)
				enc.SetIndent("", "  ")
				return enc.Encode(ts)
			}
			tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
			fmt.Fprintln(tw, "ID\tNAME\tROLE\tAGENCY\tGRANTS\tPII\tCREATED\tREVOKED")
			for _, t := range ts {
				revoked := ""
				if !t.Revoked.IsZero() {
					revoked = t.Revoked.In(hcmZone).Format("2006-01-02 15:04 -07")
				}
				pii := ""
				if t.PII {
					pii = "yes"
				}
				fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, t.Role, t.Agency, strings.Join(t.Grants, ","), pii,
					t.Created.In(hcmZone).Format("2006-01-02 15:04 -07"), revoked)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&format, "format", "table", "table | json")
	return cmd
}

func newTokenRevokeCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "revoke ID",
		Short: "Revoke a token for good",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			cfg, err := loadConfig(g.configPath)
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			store, err := openTokens(ctx, cfg)
			if err != nil {
				return err
			}
			defer store.Close()
			t, err := store.Revoke(ctx, args[0])
			if err != nil {
				return usageError{err}
			}
			if err := auditAdmin(ctx, cfg, audit.Entry{Action: "token.revoke", Object: t.ID, Outcome: audit.OK}); err != nil {
				return fmt.Errorf("the token %s was revoked but the audit log could not be written: %w", t.ID, err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "Đã thu hồi / revoked %s (%s, %s)\n", t.ID, t.Name, t.Role)
			return nil
		},
	}
}
