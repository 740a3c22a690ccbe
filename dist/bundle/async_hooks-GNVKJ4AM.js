import{a as e}from"./chunk-SQE76S5B.js";var s=e((n,o)=>{o.exports=process.getBuiltinModule("node:async_hooks")});export default s();
