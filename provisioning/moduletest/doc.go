// Package moduletest holds checks for the tests of processing modules
// (provisioning.Module): whether a module's error is one the manager
// retries or a refusal that fails the task at once. billkit's script and
// webhook modules use it, and so can a hoster's own module. Listing is a
// fake provisioning.Lister, for tests of what is built on listings
// (provisioning.Manager.ListServerServices).
package moduletest
