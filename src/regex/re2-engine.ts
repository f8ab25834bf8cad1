// Loads re2js with this module, for code that compiles patterns synchronously from its first
// line (the config schema, in the loader process). The serving process loads it on demand instead.

import { RE2JS } from 're2js'
import { useSafeRegexEngine } from './safe-regex.ts'

useSafeRegexEngine(RE2JS)
