package provisioning

// The functions of provisioning, for rights (billkit.R(FunctionService,
// billkit.OpEdit)) and for the action log (an action's ObjectType, and its
// Name "<function>.<verb>").
const (
	FunctionOrder      = "provisioning.order"
	FunctionService    = "provisioning.service"
	FunctionTask       = "provisioning.task"
	FunctionServer     = "provisioning.server"
	FunctionDatacenter = "provisioning.datacenter"
	// FunctionCycle is running the billing cycle by hand (create) and
	// reading its plans (read).
	FunctionCycle = "provisioning.cycle"
)

// Functions lists provisioning's functions, for the access package's right
// editors and for checks that every function has rules.
func Functions() []string {
	return []string{FunctionOrder, FunctionService, FunctionTask, FunctionServer, FunctionDatacenter, FunctionCycle}
}

// ClientFunctions are the functions customer roles may hold: clients order,
// see and manage their services, and see their tasks.
func ClientFunctions() []string {
	return []string{FunctionOrder, FunctionService, FunctionTask}
}
