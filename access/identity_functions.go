package access

// The functions of access's identity half, as named in rights
// ("access.user:create") and in the action log.
const (
	// FunctionStaff is staff users: creating, reading, editing them.
	FunctionStaff = "access.staff"
	// FunctionUser is customer users.
	FunctionUser = "access.user"
	// FunctionAPIKey is other users' API keys (a user manages its own
	// without a right).
	FunctionAPIKey = "access.apikey"
	// FunctionSession is other users' sessions: the "current activity" of
	// everyone, and revoking them.
	FunctionSession = "access.session"
	// FunctionActionLog is the action log and the access log.
	FunctionActionLog = "access.actionlog"
)
