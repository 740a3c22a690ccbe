import{a as o}from"./chunk-SQE76S5B.js";var t=o((i,e)=>{e.exports=process.getBuiltinModule("node:util")});export{t as a};
