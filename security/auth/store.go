package auth

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	_ "modernc.org/sqlite" // the store's driver

	"github.com/sonla-data/kho/internal/sqlitedsn"
)

// Errors of the store.
var (
	ErrUnauthenticated = errors.New("token không hợp lệ hoặc đã bị thu hồi / invalid or revoked token")
	ErrNotFound        = errors.New("không có token này / no such token")
)

// Token is a stored token (never its secret).
type Token struct {
	ID        string    `json:"id"`
	Name      string    `json:"name"`
	Role      Role      `json:"role"`
	Agency    string    `json:"agency,omitempty"`
	Grants    []string  `json:"grants,omitempty"`
	PII       bool      `json:"pii"`
	Created   time.Time `json:"created"`
	CreatedBy string    `json:"created_by,omitempty"`
	Revoked   time.Time `json:"revoked,omitzero"`
}

// Principal is who the token speaks for.
func (t Token) Principal() Principal {
	return Principal{TokenID: t.ID, Name: t.Name, Role: t.Role, Agency: t.Agency, Grants: t.Grants, PII: t.PII}
}

// NewToken is what a token is created with.
type NewToken struct {
	Name      string
	Role      Role
	Agency    string
	Grants    []string
	PII       bool
	CreatedBy string
}

var grantRe = regexp.MustCompile(`^[a-z][a-z0-9_]*\.([a-z][a-z0-9_]*|\*)$`)

// Validate reports every problem of n at once.
func (n NewToken) Validate() error {
	var errs []error
	if strings.TrimSpace(n.Name) == "" {
		errs = append(errs, errors.New("cần tên token (--name) / a token needs a name (--name)"))
	}
	if _, err := ParseRole(string(n.Role)); err != nil {
		errs = append(errs, err)
	}
	if n.Role == Public && (len(n.Grants) > 0 || n.PII) {
		errs = append(errs, errors.New("token public không nhận quyền dữ liệu hay PII / public tokens take no grants and no PII grant"))
	}
	for _, g := range n.Grants {
		if !grantRe.MatchString(g) {
			errs = append(errs, fmt.Errorf("quyền %q không hợp lệ (lĩnh_vực.bảng hoặc lĩnh_vực.*) / grant %q must be domain.table or domain.*", g, g))
		}
	}
	return errors.Join(errs...)
}

// Store keeps the tokens in SQLite.
type Store struct {
	db *sql.DB
	// byHash finds a token by its secret's hash: prepared once, since every
	// request checks its token (SQLite parsed the statement on each check).
	// It still reads the table on each check: a revocation counts at once.
	byHash *sql.Stmt
}

// Open opens (creating) the store at path.
func Open(ctx context.Context, path string) (*Store, error) {
	db, err := sql.Open("sqlite", sqlitedsn.File(path, "_pragma=busy_timeout(10000)", "_pragma=journal_mode(WAL)"))
	if err != nil {
		return nil, fmt.Errorf("opening the token store %s: %w", path, err)
	}
	_, err = db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS tokens (
		id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
		agency TEXT NOT NULL DEFAULT '', grants TEXT NOT NULL DEFAULT '[]', pii INTEGER NOT NULL DEFAULT 0,
		created_at TEXT NOT NULL, created_by TEXT NOT NULL DEFAULT '', revoked_at TEXT)`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("creating the token store %s: %w", path, err)
	}
	byHash, err := db.PrepareContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE hash = ?`)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("opening the token store %s: %w", path, err)
	}
	return &Store{db: db, byHash: byHash}, nil
}

// Close closes the store.
func (s *Store) Close() error { return errors.Join(s.byHash.Close(), s.db.Close()) }

// Create stores a new token and returns its secret, which is not kept.
func (s *Store) Create(ctx context.Context, n NewToken) (string, Token, error) {
	if err := n.Validate(); err != nil {
		return "", Token{}, err
	}
	secret := newSecret()
	t := Token{ID: newID(), Name: strings.TrimSpace(n.Name), Role: n.Role, Agency: strings.TrimSpace(n.Agency),
		Grants: n.Grants, PII: n.PII, Created: time.Now().UTC().Truncate(time.Second), CreatedBy: n.CreatedBy}
	grants, _ := json.Marshal(nonNil(t.Grants))
	_, err := s.db.ExecContext(ctx, `INSERT INTO tokens (id, hash, name, role, agency, grants, pii, created_at, created_by)
		VALUES (?,?,?,?,?,?,?,?,?)`, t.ID, hashSecret(secret), t.Name, string(t.Role), t.Agency, string(grants), t.PII,
		t.Created.Format(time.RFC3339), t.CreatedBy)
	if err != nil {
		return "", Token{}, fmt.Errorf("storing token %s: %w", t.Name, err)
	}
	return secret, t, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

const tokenCols = `id, name, role, agency, grants, pii, created_at, created_by, coalesce(revoked_at, '')`

func scanToken(sc interface{ Scan(...any) error }) (Token, error) {
	var t Token
	var role, grants, created, revoked string
	if err := sc.Scan(&t.ID, &t.Name, &role, &t.Agency, &grants, &t.PII, &created, &t.CreatedBy, &revoked); err != nil {
		return t, err
	}
	t.Role = Role(role)
	if err := json.Unmarshal([]byte(grants), &t.Grants); err != nil {
		return t, fmt.Errorf("token %s: reading grants: %w", t.ID, err)
	}
	t.Created, _ = time.Parse(time.RFC3339, created)
	if revoked != "" {
		t.Revoked, _ = time.Parse(time.RFC3339, revoked)
	}
	return t, nil
}

// List returns every token, newest first.
func (s *Store) List(ctx context.Context) ([]Token, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+tokenCols+` FROM tokens ORDER BY created_at DESC, id`)
	if err != nil {
		return nil, fmt.Errorf("listing tokens: %w", err)
	}
	defer rows.Close()
	var out []Token
	for rows.Next() {
		t, err := scanToken(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Get returns one token.
func (s *Store) Get(ctx context.Context, id string) (Token, error) {
	t, err := scanToken(s.db.QueryRowContext(ctx, `SELECT `+tokenCols+` FROM tokens WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return t, fmt.Errorf("%s: %w", id, ErrNotFound)
	}
	return t, err
}

// Revoke revokes a token for good; revoking it twice keeps the first date.
func (s *Store) Revoke(ctx context.Context, id string) (Token, error) {
	_, err := s.db.ExecContext(ctx, `UPDATE tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?`,
		time.Now().UTC().Format(time.RFC3339), id)
	if err != nil {
		return Token{}, fmt.Errorf("revoking %s: %w", id, err)
	}
	return s.Get(ctx, id)
}

// Authenticate finds the live token of a secret.
func (s *Store) Authenticate(ctx context.Context, secret string) (Principal, error) {
	if !strings.HasPrefix(strings.TrimSpace(secret), SecretPrefix) {
		return Principal{}, ErrUnauthenticated
	}
	t, err := scanToken(s.byHash.QueryRowContext(ctx, hashSecret(secret)))
	if errors.Is(err, sql.ErrNoRows) {
		return Principal{}, ErrUnauthenticated
	}
	if err != nil {
		return Principal{}, fmt.Errorf("checking a token: %w", err)
	}
	if !t.Revoked.IsZero() {
		return Principal{}, ErrUnauthenticated
	}
	return t.Principal(), nil
}
