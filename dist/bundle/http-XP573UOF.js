import{a}from"./chunk-OT2F7WP3.js";import"./chunk-SQE76S5B.js";export default a();
