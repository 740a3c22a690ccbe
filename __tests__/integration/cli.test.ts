/** Every CLI case, against runCli() from src/ in this process (the bundle runs a smoke set in e2e). */
import { describeCli } from '../support/cli-cases.js'

describeCli('runCli() from src, in process')
