import{a as t}from"./chunk-SQE76S5B.js";var o=t((s,e)=>{e.exports=process.getBuiltinModule("node:https")});export{o as a};
