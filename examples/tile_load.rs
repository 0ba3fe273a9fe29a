//! A small HTTP load generator for the tile routes (no external tool needed):
//! `cargo run --release --example tile_load -- 127.0.0.1:8080 8 20000 /tiles/hubei/8/{x}/{y}.mvt`
//! Runs CONNECTIONS keep-alive connections sending REQUESTS requests in total;
//! `{x}`/`{y}` in the path cycle over the z8 tiles covering Hubei (to defeat a
//! warm cache: run the server with `--tile-cache-mb 0`), otherwise one path repeats.
//! Prints requests/s and latency percentiles.
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let addr = args
        .get(1)
        .cloned()
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let conns: usize = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(8);
    let total: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let path = args
        .get(4)
        .cloned()
        .unwrap_or_else(|| "/tiles/hubei/7/104/53.mvt".into());
    let tiles = liuyu::tiles::TileId::covering(8, 108.3, 29.0, 116.2, 33.3);
    let started = Instant::now();
    let mut handles = Vec::new();
    for c in 0..conns {
        let (addr, path, tiles) = (addr.clone(), path.clone(), tiles.clone());
        handles.push(tokio::spawn(async move {
            let stream = TcpStream::connect(&addr).await?;
            let mut s = BufReader::new(stream);
            let mut lat = Vec::new();
            for i in (c..total).step_by(conns) {
                let t = tiles[i % tiles.len()];
                let p = path
                    .replace("{x}", &t.x.to_string())
                    .replace("{y}", &t.y.to_string());
                let req =
                    format!("GET {p} HTTP/1.1\r\nHost: {addr}\r\nAccept-Encoding: gzip\r\n\r\n");
                let t0 = Instant::now();
                s.get_mut().write_all(req.as_bytes()).await?;
                let mut len = 0usize;
                loop {
                    let mut line = String::new();
                    s.read_line(&mut line).await?;
                    if line == "\r\n" || line.is_empty() {
                        break;
                    }
                    if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                        len = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0u8; len];
                s.read_exact(&mut body).await?;
                lat.push(t0.elapsed().as_secs_f64() * 1e6);
            }
            Ok::<_, std::io::Error>(lat)
        }));
    }
    let mut lat = Vec::new();
    for h in handles {
        lat.extend(h.await.map_err(std::io::Error::other)??);
    }
    let secs = started.elapsed().as_secs_f64();
    lat.sort_by(|a, b| a.total_cmp(b));
    let pct = |p: f64| lat[((lat.len() as f64 - 1.0) * p) as usize];
    println!(
        "{} requests, {conns} connections, {:.0} req/s; latency p50 {:.0} us, p99 {:.0} us",
        lat.len(),
        lat.len() as f64 / secs,
        pct(0.5),
        pct(0.99)
    );
    Ok(())
}
