import{a as o}from"./chunk-SQE76S5B.js";var c=o((n,e)=>{var t=process.getBuiltinModule("node:https");e.exports=typeof t=="function"?t:Object.create(t)});export{c as a};
