package auth

import "fmt"

// Role is what a token is for.
type Role string

// The roles.
const (
	Admin     Role = "admin"
	Engineer  Role = "engineer"
	Analyst   Role = "analyst"
	Dashboard Role = "dashboard"
	Public    Role = "public"
)

// Roles lists the roles.
var Roles = []Role{Admin, Engineer, Analyst, Dashboard, Public}

// ParseRole reads a role name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", fmt.Errorf("vai trò %q không có; chọn admin, engineer, analyst, dashboard hoặc public / unknown role %q (admin, engineer, analyst, dashboard, public)", s, s)
}
