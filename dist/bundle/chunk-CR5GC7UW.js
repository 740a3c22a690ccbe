import{a as t}from"./chunk-SQE76S5B.js";var o=t((p,e)=>{e.exports=process.getBuiltinModule("node:http")});export{o as a};
