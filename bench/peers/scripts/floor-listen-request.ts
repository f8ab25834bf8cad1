// Floor peer: raw downstream, a Request built from the head as edgeway's path consumes it (floor-listen.ts).
import { serveFloor } from './floor-listen.ts'

serveFloor('request')
