import{a as o}from"./chunk-SQE76S5B.js";var t=o((p,e)=>{e.exports=process.getBuiltinModule("node:crypto")});export{t as a};
