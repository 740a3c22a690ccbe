import{a as t}from"./chunk-SQE76S5B.js";var c=t((n,o)=>{var e=process.getBuiltinModule("node:os");o.exports=typeof e=="function"?e:Object.create(e)});export{c as a};
