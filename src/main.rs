fn main() {
    // A closed pipe ends the command quietly, as it does any Unix tool
    // (`lethe request list --json | head`): the write that finds the pipe
    // closed ends the process with the conventional status of SIGPIPE,
    // instead of an error message or a panic. Rust ignores the signal by
    // default. A batch of a deletion commits whole or not at all, so a
    // command ended this way leaves nothing half-done.
    lethe::store::tuning::os::default_sigpipe();
    std::process::exit(lethe::cli::main());
}
