package lake

// At is called at named points of the lake's long operations (relocation,
// backup, restore), for the crash tests, which kill the process there to
// prove that a rerun finishes the work and nothing is lost. It does nothing
// in production.
var At = func(point string) {}
