import{a as o}from"./chunk-SQE76S5B.js";var s=o((t,e)=>{e.exports=process.getBuiltinModule("node:fs")});export{s as a};
