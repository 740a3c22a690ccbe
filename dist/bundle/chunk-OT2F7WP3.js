import{a as o}from"./chunk-SQE76S5B.js";var c=o((p,e)=>{var t=process.getBuiltinModule("node:http");e.exports=Object.getPrototypeOf(t)===Object.prototype?Object.create(t):t});export{c as a};
