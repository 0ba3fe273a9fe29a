use std::path::PathBuf;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let built = liuyu::prep::build::build(&PathBuf::from(&args[1])).unwrap();
    built.write(&PathBuf::from(&args[2])).unwrap();
}
