import "../style.css";
