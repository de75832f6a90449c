package access

// This file is a placeholder the rights part of the package replaces.

// RightsConfig configures departments, rights and customer roles.
type RightsConfig struct{}

func (c RightsConfig) withDefaults() RightsConfig { return c }

// RightsStore keeps departments, grants, client memberships, invites and the
// action log's queries.
type RightsStore interface{}
