//! The `tinytransfer` command; everything it does lives in the library.

fn main() -> std::process::ExitCode {
    tinytransfer_host::cli::main()
}
