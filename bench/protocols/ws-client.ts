// A bounded WebSocket load client: `bun bench/protocols/ws-client.ts <url> <connections> <seconds>`.
// Each connection keeps one 64-byte message in flight (send, wait for the echo, send again) until
// the time is up, then closes; prints one JSON line { messages, seconds, errors }.

export {}
const [url, connectionsText, secondsText] = process.argv.slice(2)
const connections = Number(connectionsText)
const seconds = Number(secondsText)
const payload = 'x'.repeat(64)
let messages = 0
let errors = 0

function one(deadline: number): Promise<void> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url!)
    const stop = () => (socket.readyState === WebSocket.OPEN ? socket.close(1000) : undefined, resolve())
    // A connection that never opens or stalls must not hold the run past its time.
    const timer = setTimeout(stop, deadline - Date.now() + 2_000)
    socket.onopen = () => socket.send(payload)
    socket.onmessage = (event) => {
      if (event.data !== payload) errors++
      messages++
      if (Date.now() < deadline) socket.send(payload)
      else (clearTimeout(timer), stop())
    }
    socket.onerror = () => (errors++, clearTimeout(timer), stop())
    socket.onclose = () => (clearTimeout(timer), resolve())
  })
}

const started = Date.now()
await Promise.all(Array.from({ length: connections }, () => one(started + seconds * 1_000)))
console.log(JSON.stringify({ messages, seconds: (Date.now() - started) / 1_000, errors }))
process.exit(0)
