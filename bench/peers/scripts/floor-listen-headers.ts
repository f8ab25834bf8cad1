// Floor peer: raw downstream, a Headers for edgeway's client (floor-listen.ts).
import { serveFloor } from './floor-listen.ts'

serveFloor('headers')
