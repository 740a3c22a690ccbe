import{a as h,b as M,f as W,g as D}from"./chunk-DADJWCIY.js";import{b as E,c as A,d as k,e as _,f as j,h as L,m as U,p as C,q as R}from"./chunk-KPDOZRTJ.js";import{d as b}from"./chunk-BXANHUES.js";import{a as Y}from"./chunk-BSIWKWCH.js";import"./chunk-VZBVPM4Q.js";import{d as T,e as N,f as P,g as I,h as u,q as x,s as f}from"./chunk-4I6CTE4Y.js";import"./chunk-WNSBJ7QX.js";import"./chunk-RLPZJ47J.js";import{b as Q}from"./chunk-SQE76S5B.js";var F=Q(Y(),1);var c={ok:0,unexpected:1,usage:2,assertion:3,sts:4,file:5,"sign-in":6},S="SAML_ASSUME_ROLE_IDP_PASSWORD",y="SAML_ASSUME_ROLE_IDP_OTP_SECRET",q=`saml-assume-role: redeem a SAML assertion with AWS STS AssumeRoleWithSAML.

Usage:
  saml-assume-role --saml-assertion SOURCE [--role-arn ARN ...] [options]
  saml-assume-role --idp-url URL --idp-username NAME [--role-arn ARN ...] [options]
  saml-assume-role roles SOURCE          list the roles in the assertion (no STS call)
  saml-assume-role -h | --help | --version

SOURCE is file://PATH, - (standard input), or the assertion itself; base64, URL-encoded
(as copied from browser dev tools, SAMLResponse= allowed) or XML.

Options:
  --saml-assertion SOURCE        the SAMLResponse (or sign in with --idp-url)
  --idp-url URL                  sign in at the IdP for a fresh assertion: the IdP-initiated
                                 sign-on URL of the AWS app (form), the ECP endpoint (ecp),
                                 or the app's embed link (okta)
  --idp-provider P               form (default), ecp or okta
  --idp-username NAME            the IdP user; the password comes from the env variable
                                 ${S} or standard input, the
                                 TOTP seed (MFA) from ${y},
                                 never from the command line (ps shows it)
  --idp-timeout-seconds N        budget for the whole sign-in (default 30)
  --idp-password                 refused: the command line is visible to every user (ps);
                                 use ${S} or standard input
  --idp-otp-secret               refused likewise: use ${y}
  --role-arn ARN                 role to assume; repeat for several, or '*' for every role
                                 offered; optional when the assertion offers one role
  --principal-arn ARN            SAML provider ARN (default: from the assertion)
  --profile NAME                 write the credentials as this profile (~/.aws/credentials,
                                 region to ~/.aws/config); a template with several roles:
                                 {account-id}, {role-name}, {partition}
  --overwrite-profile            replace a profile this tool did not write (refused
                                 otherwise: it may hold your long-term keys)
  --region R                     region for STS and the profile (default: AWS_REGION,
                                 AWS_DEFAULT_REGION, then the partition's default)
  --duration-seconds N           session length, 900-43200 (default 3600)
  --sts-endpoint URL             custom STS endpoint (VPC, FIPS, emulator)
  --output MODE                  env (export lines), json (the STS response fields) or
                                 credential-process (for credential_process in ~/.aws/config);
                                 default: env, or nothing with --profile
  --inline-session-policy JSON   IAM policy limiting the session
  --managed-session-policies A   comma-separated policy ARNs limiting the session
  --chain-role-arn ARN           then assume this role with the SAML credentials
  --chain-role-session-name N    session name for the chained role
  --chain-role-external-id ID    external ID for the chained role
  --chain-role-duration-seconds N  900-3600 (default 3600)
  --role-session-tags JSON       session tags for the chained role, e.g. '{"team":"ops"}'
  --transitive-tag-keys K        comma-separated tag names passed on from the chained role
  --verify                       check the credentials with GetCallerIdentity
  --allowed-account-ids IDS      refuse roles in any other account
  --http-proxy URL               proxy for STS (default: HTTPS_PROXY / HTTP_PROXY; NO_PROXY honoured)
  --retry-max-attempts N         attempts per call for transient errors (default 6)
  --retry-budget-seconds N       time per call across attempts (default 60)
  --disable-retry                one attempt per call
  --max-concurrency N            roles assumed at once (default 8)

Exit codes: 0 success, 2 usage error, 3 assertion rejected locally (no STS call),
4 STS or network error, 5 credentials or config file refused (symlink, lock, ...),
6 sign-in at the IdP failed (no STS call), 1 unexpected error.
`,$={"principal-arn":"principal-arn",profile:"profile",region:"aws-region","duration-seconds":"role-duration-seconds","sts-endpoint":"sts-endpoint","inline-session-policy":"inline-session-policy","managed-session-policies":"managed-session-policies","chain-role-arn":"chain-role-arn","chain-role-session-name":"chain-role-session-name","chain-role-external-id":"chain-role-external-id","chain-role-duration-seconds":"chain-role-duration-seconds","role-session-tags":"role-session-tags","transitive-tag-keys":"transitive-tag-keys","allowed-account-ids":"allowed-account-ids","http-proxy":"http-proxy","retry-max-attempts":"retry-max-attempts","retry-budget-seconds":"retry-budget-seconds","max-concurrency":"max-concurrency","idp-url":"idp-url","idp-provider":"idp-provider","idp-username":"idp-username","idp-timeout-seconds":"idp-timeout-seconds"},K={"idp-password":S,"idp-otp-secret":y},B={...Object.fromEntries(Object.entries($).map(([e,t])=>[t,e])),"role-arn":"role-arn","saml-assertion":"saml-assertion","saml-assertion-file":"saml-assertion","verify-credentials":"verify","disable-retry":"disable-retry","overwrite-profile":"overwrite-profile"},v=e=>{let t=B[e.input],r=K[e.input];return t?`--${t}`:r?`the env variable ${r}`:N(e)};function Z(e){return e instanceof I?e.wordedFor(v):e instanceof Error?e.message:String(e)}async function Ae(e,t){try{let{values:r,positionals:n}=(0,F.parseArgs)({args:e,allowPositionals:!0,options:{help:{type:"boolean",short:"h"},version:{type:"boolean"},"saml-assertion":{type:"string"},"role-arn":{type:"string",multiple:!0},output:{type:"string"},verify:{type:"boolean"},"disable-retry":{type:"boolean"},"overwrite-profile":{type:"boolean"},"idp-password":{type:"string"},"idp-otp-secret":{type:"string"},...Object.fromEntries(Object.keys($).map(o=>[o,{type:"string"}]))}});if(r.help)return t.stdout(q),c.ok;if(r.version)return t.stdout(`${t.version}
`),c.ok;if(n[0]==="roles"){if(n.length!==2)throw new u("Usage: saml-assume-role roles SOURCE");let o=H(n[1],t),s=E(a=>o[a]??"");return t.stdout(oe(await A(s,G(t)),new Date)),c.ok}if(n.length>0)throw new u(`Unknown command ${ee(n[0])}. See --help.`);return await te(r,t)}catch(r){let n=r instanceof Error&&"code"in r&&String(r.code).startsWith("ERR_PARSE_ARGS");return t.stderr(`saml-assume-role: ${Z(r)}
`),n?c.usage:r instanceof I?c[r.kind]:c.unexpected}}function ee(e){return e.length>32||/[<=%]/.test(e)||/^[A-Za-z0-9+/_-]{16,}$/.test(e)?`(${e.length} characters, not shown: to pass the assertion, use --saml-assertion)`:JSON.stringify(e)}async function te(e,t){for(let i of["idp-password","idp-otp-secret"])if(e[i]!==void 0)throw new u(`--${i} is not accepted: the command line is visible to every user (ps). Set the env variable ${K[i]}${i==="idp-password"?" or pipe the password on standard input":""}.`);let r=e["saml-assertion"],n=typeof e["idp-url"]=="string";if(typeof r!="string"&&!n)throw new u("--saml-assertion (file://PATH, - for stdin, or the value) or --idp-url is required. See --help.");let o=e.output??(e.profile?"none":"env");if(!["env","json","credential-process","none"].includes(o))throw new u(`--output must be env, json or credential-process, not ${JSON.stringify(o)}.`);let s={...typeof r=="string"?H(r,t):{},...n?ne(t):{},"role-arn":(e["role-arn"]??[]).join(`
`),"export-env":"false","verify-credentials":e.verify?"true":"false","disable-retry":e["disable-retry"]?"true":"false","overwrite-profile":e["overwrite-profile"]?"true":"false"};for(let[i,d]of Object.entries($)){let g=e[i];typeof g=="string"&&(s[d]=g)}let a=U(i=>s[i]??""),p=k(t.env),l=await A(a.assertion,{...G(t),httpProxy:a.httpProxy,whileWaiting:()=>{R()}}),{failureReport:J,profileWrites:V,redeem:X}=await R(),w=await X({...a,cliOutput:o},l,t.env,{mask:()=>{},notice:i=>t.stderr(`notice: ${i}
`),warning:i=>t.stderr(`warning: ${i}
`),info:i=>t.stderr(`${i}
`),checkTargets:async i=>{if(a.profile===void 0)return;let d=i.map(g=>g.profile);await _(p,d,a.overwriteProfile)}}),{assumed:m,region:z}=w;if(a.profile!==void 0&&m.length>0){let i=await j(p,V(w),{overwrite:a.overwriteProfile});if(i.overwritten.length>0){let d=L(i.overwritten,p.credentials);t.stderr(`warning: ${P(T(d,x),v)}
`)}for(let d of m)t.stderr(`Wrote profile ${d.target.profile} (${d.session.assumedRoleArn}, expires ${d.session.expiration.toISOString()}).
`)}o!=="none"&&m.length>0&&t.stdout(re(o,m,z));let O=J(w,a.profile!==void 0,v);return O?(t.stderr(`saml-assume-role: ${O}
`),c.sts):c.ok}function re(e,t,r){if(e==="json"){let o=t.map(({session:s})=>({Credentials:{AccessKeyId:s.accessKeyId,SecretAccessKey:s.secretAccessKey,SessionToken:s.sessionToken,Expiration:s.expiration.toISOString()},AssumedRoleUser:{Arn:s.assumedRoleArn,AssumedRoleId:s.assumedRoleId},Subject:s.subject,SubjectType:s.subjectType,Issuer:s.issuer,Audience:s.audience,NameQualifier:s.nameQualifier,SourceIdentity:s.sourceIdentity,PackedPolicySize:s.packedPolicySize}));return`${JSON.stringify(o.length===1?o[0]:o,null,2)}
`}let n=t[0].session;return e==="credential-process"?`${JSON.stringify({Version:1,AccessKeyId:n.accessKeyId,SecretAccessKey:n.secretAccessKey,SessionToken:n.sessionToken,Expiration:n.expiration.toISOString()})}
`:Object.entries(C(n,r)).map(([o,s])=>`export ${o}=${se(s)}
`).join("")}function se(e){return/^[\w@%+=:,./-]+$/.test(e)?e:`'${e.replace(/'/g,"'\\''")}'`}function H(e,t){return e==="-"?{"saml-assertion":t.readStdin()}:e.startsWith("file://")?{"saml-assertion-file":e}:{"saml-assertion":e}}function ne(e){return{"idp-password":e.env[S]??e.readStdin().split(/\r?\n/)[0]??"","idp-otp-secret":e.env[y]??""}}function G(e){return{mask:()=>{},info:t=>e.stderr(`${t}
`),env:e.env}}function oe(e,t){let r=D(b(e).xml);if(r.encrypted)return`The assertion is encrypted (EncryptedAssertion): its roles cannot be read locally.
`;let{pairs:n,invalid:o}=M(r.roleValues??[]),s=r.assertionIssueInstant??r.responseIssueInstant,a=W(r),p=[`Issuer:     ${f(r.issuer)}`,`Subject:    ${f(r.nameId)}${r.nameIdFormat?` (${f(r.nameIdFormat)})`:""}`,`Session:    ${f(r.roleSessionName)}`,`Issued:     ${s?`${s.toISOString()} (${h(t.getTime()-s.getTime())} ago)`:"unknown"}`,`Expires:    ${a?`${a.toISOString()} (${a.getTime()>t.getTime()?`${h(a.getTime()-t.getTime())} left`:`expired ${h(t.getTime()-a.getTime())} ago`})`:"unknown"}`,`Partition:  ${[...new Set(n.map(l=>l.role.partition))].join(", ")||"unknown"}`,`Roles (${n.length}):`,...n.map(l=>`  ${l.roleArn}  via ${l.principalArn}`)];return o.length>0&&p.push(`Ignored Role values (${o.length}):`,...o.map(l=>`  ${f(l.value)}: ${l.reason}`)),`${p.join(`
`)}
`}export{c as EXIT,q as HELP,y as OTP_SECRET_ENV,S as PASSWORD_ENV,oe as describeRoles,Ae as runCli};
