import type { Agent as HttpAgent, AgentOptions } from 'node:http'
import type { Agent as HttpsAgent } from 'node:https'

/** One agent for http targets and one for https targets. */
export interface AgentPair {
  httpAgent: HttpAgent
  httpsAgent: HttpsAgent
}

/**
 * The agents for one forward proxy: CONNECT for https targets, absolute-form requests for http.
 * Loaded only by a run that has a proxy (the bundle puts them in a chunk of their own): the proxy
 * packages bring agent-base and debug, with tty and supports-color, which every other run would
 * evaluate for nothing.
 */
export async function proxyAgents(proxy: URL, options: AgentOptions = {}): Promise<AgentPair> {
  const [{ HttpProxyAgent }, { HttpsProxyAgent }] = await Promise.all([
    import('http-proxy-agent'),
    import('https-proxy-agent')
  ])
  return {
    httpAgent: new HttpProxyAgent(proxy, options),
    httpsAgent: new HttpsProxyAgent(proxy, options)
  }
}
